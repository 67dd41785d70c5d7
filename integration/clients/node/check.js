// check.js drives node-postgres (npm "pg") against one server and prints
// stable text, so integration/clients_node_test.go can diff the outputs for the
// reference PostgreSQL and for fazproxy.
//
// Usage: node check.js POSTGRES_URL
//
// Canonical form: one line per fact, "section<TAB>field=value<TAB>...". No
// OIDs: field types are printed by name through pg-types' builtins table. A
// failing check prints an ERROR line for its section and the program goes on.
'use strict';

const { Client, types } = require('pg');

// Type names for the result columns: pg-types' builtins (scalars) plus the
// array and catalog types it leaves out. Built-in type OIDs are fixed by
// PostgreSQL, so an unknown one is printed as its number.
const typeNames = Object.assign(
  Object.fromEntries(Object.entries(types.builtins).map(([name, oid]) => [oid, name.toLowerCase()])),
  {
    18: 'char', 19: 'name', 22: 'int2vector', 26: 'oid', 30: 'oidvector',
    1000: '_bool', 1001: '_bytea', 1005: '_int2', 1007: '_int4', 1009: '_text',
    1015: '_varchar', 1016: '_int8', 1021: '_float4', 1022: '_float8', 1231: '_numeric', 3807: '_jsonb',
  },
);

function out(section, ...fields) {
  process.stdout.write(section + '\t' + fields.join('\t') + '\n');
}

// render shows a value with its JavaScript type, so parsing differences show.
function render(v) {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return 'Buffer:' + v.toString('hex');
  if (Array.isArray(v)) return 'Array[' + v.map(render).join(', ') + ']';
  if (v instanceof Date) return 'Date:' + v.toISOString();
  if (typeof v === 'object') return 'object:' + JSON.stringify(sortKeys(v));
  return typeof v + ':' + JSON.stringify(v);
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

function printResult(section, res) {
  for (const f of res.fields) {
    out(section + ' field', 'name=' + f.name, 'type=' + (typeNames[f.dataTypeID] || 'oid:' + f.dataTypeID), 'format=' + f.format);
  }
  out(section, 'command=' + res.command, 'rows=' + res.rowCount);
  for (const row of res.rows) {
    out(section + ' row', ...res.fields.map((f) => render(row[f.name])));
  }
}

async function step(section, fn) {
  try {
    await fn();
  } catch (e) {
    out(section, 'ERROR', 'sqlstate=' + e.code, String(e.message).split('\n')[0]);
  }
}

const checks = [
  // No parameters: node-postgres uses the simple query protocol.
  ['simple', 'SELECT customer_id, name, balance, vip, tags, avatar, address FROM customers WHERE customer_id = \'C0002\''],
  // Parameters: the extended protocol with text parameters and text results.
  ['parameterised', 'SELECT order_id, total, gift, item_skus, labels, items FROM orders WHERE customer_id = $1 AND total > $2 ORDER BY order_id', ['C0042', 100]],
  ['parameterised-products', 'SELECT sku, name, price, in_stock, colors, sizes, thumbnails FROM products WHERE sku = $1', [10085]],
  // Catalog queries the way ORMs and admin tools run them.
  ['information_schema.columns', 'SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', ['public', 'orders']],
  ['information_schema.tables', 'SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema = \'public\' ORDER BY table_name'],
  ['pg_index', 'SELECT i.relname AS index, t.relname AS table, x.indisunique, x.indisprimary, x.indnatts FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid JOIN pg_catalog.pg_class t ON t.oid = x.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = \'public\' ORDER BY 1'],
];

async function main() {
  const client = new Client({ connectionString: process.argv[2] });
  await client.connect();
  try {
    for (const [section, sql, params] of checks) {
      await step(section, async () => printResult(section, await client.query(sql, params)));
    }
  } finally {
    await client.end();
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
