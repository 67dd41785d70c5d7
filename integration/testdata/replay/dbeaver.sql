-- tool: DBeaver (Community 24.x/25.x) on pgjdbc 42.x: opening a connection and
--   expanding demo > Schemas > public > Tables > orders in the navigator,
--   then opening the data of products.
-- source: dbeaver/dbeaver, plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/
--   PostgreExecutionContext.java (current schema and user, search_path),
--   PostgreDataSource.java (prepareReadDatabaseListStatement, server settings, keywords),
--   PostgreDatabase.java (SchemaCache, readDataTypes with its pg_enum and
--   typcategory probes),
--   PostgreSchema.java (TableCache lookup and children, ConstraintCache, IndexCache;
--   version as stored in the search index, commit 89f7317dd38d0f175bb6dde62387ea49dd508375 listing).
--   Table OIDs and the schema OID are bound with setLong (int8) and names with
--   setString (varchar), as pgjdbc declares them in Parse.
--   pgjdbc sends each ? as $1, $2, ... (written so here).
-- protocol: extended

-- name: current schema and user
SELECT current_schema(),session_user;

-- name: search_path
-- compare: rows
SHOW search_path;

-- name: database list
-- args: varchar:demo
-- ref-drop: datname=postgres
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE 1 = 1 AND datallowconn AND NOT datistemplate OR db.datname =$1
ORDER BY db.datname;

-- name: standard_conforming_strings
SELECT * FROM pg_catalog.pg_settings where name='standard_conforming_strings';

-- name: server version
-- compare: columns
-- Both start "PostgreSQL 15."; the rest names the build (15.18 Debian/gcc
-- against fazproxy's own), so only the shape is compared.
SELECT version();

-- name: keywords
-- DBeaver excludes the SQL-92 keywords it already knows; the array here is
-- the head of that list (the statement's shape is what matters).
SELECT string_agg(word, ',') from pg_catalog.pg_get_keywords() where word <> ALL ('{a,abs,absolute,action,ada,add,admin,after,all,allocate,alter,always,and,any,are,array,as,asc,asensitive,assertion,assignment,asymmetric,at,atomic,attribute,attributes,authorization,avg,before,begin,bernoulli,between,bigint,binary,blob,boolean,both,breadth,by,c,call,called,cardinality,cascade,cascaded,case,cast,catalog,select,from,where,table}'::text[]);

-- name: pg_enum probe
SELECT * FROM pg_catalog.pg_enum WHERE 1<>1 LIMIT 1;

-- name: reltype probe
SELECT reltype FROM pg_catalog.pg_class WHERE 1<>1 LIMIT 1;

-- name: typcategory probe
SELECT 1 FROM pg_catalog.pg_attribute s JOIN pg_catalog.pg_class p ON s.attrelid = p.oid JOIN pg_catalog.pg_namespace n ON p.relnamespace = n.oid WHERE p.relname = 'pg_type' AND n.nspname = 'pg_catalog' AND s.attname = 'typcategory';

-- name: data types of pg_catalog
-- args: int8:{{nspoid:pg_catalog}}
-- compare: subset
-- fazproxy serves the built-in types its columns and catalog use (66 of
-- PostgreSQL 15's 185 here); each one it lists must be PostgreSQL's row.
-- PostgreDatabase.java readDataTypes: the types of each schema, pg_catalog first.
SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description
FROM pg_catalog.pg_type t
LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem 
LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid
WHERE t.typname IS NOT NULL
AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C')
AND t.typnamespace=$1 ;

-- name: schemas
SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass
ORDER BY nspname;

-- name: schema id
-- args: varchar:public
SELECT s.oid as schema_id
from pg_catalog.pg_namespace s
WHERE s.nspname =$1;

-- name: tables of public
-- args: int8:{{nspoid:public}}
SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key 
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace=$1 AND c.relkind not in ('i','I','c');

-- name: table sizes
-- args: int8:{{nspoid:public}}
select c.oid,pg_catalog.pg_total_relation_size(c.oid) as total_rel_size,pg_catalog.pg_relation_size(c.oid) as rel_size
FROM pg_class c
WHERE c.relnamespace=$1;

-- name: columns of orders
-- args: int8:{{reloid:orders}}
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid
WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid=$1
ORDER BY a.attnum;

-- name: constraints of orders
-- args: int8:{{reloid:orders}}
SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.contype='c' then "substring"(pg_get_constraintdef(c.oid), 7) else null end consrc_copy
FROM pg_catalog.pg_constraint c
INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid
LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass
WHERE c.conrelid=$1
ORDER BY c.oid;

-- name: indexes of orders
-- args: int8:{{reloid:orders}}
SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,c.reltablespace,tc.relname as tabrelname,dsc.description,pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr,pg_catalog.pg_relation_size(i.indexrelid) as index_rel_size,pg_catalog.pg_stat_get_numscans(i.indexrelid) as index_num_scans
FROM pg_catalog.pg_index i
INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid
INNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid
LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid
WHERE  i.indrelid=$1 ORDER BY c.relname;

-- name: data of products
SELECT t.*
FROM public.products t
LIMIT 200;
