package integration

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// localDifferentialCases are SELECTs that DynamoDB cannot answer by itself:
// joins, aggregates, subqueries, CTEs, set operations and window functions
// that fazproxy's local executor evaluates over the rows it fetched. Each
// runs against fazproxy and against the reference PostgreSQL holding the
// same demo rows. An ordered case has a total ORDER BY (tie-breakers down to
// a key), so its rows are compared in order.
func localDifferentialCases() []diffCase {
	var cs []diffCase
	cs = append(cs, localJoinCases()...)
	cs = append(cs, localAggregateCases()...)
	cs = append(cs, localSubqueryCases()...)
	cs = append(cs, localSetAndCTECases()...)
	cs = append(cs, localWindowCases()...)
	cs = append(cs, localExpressionCases()...)
	cs = append(cs, localEdgeCases()...)
	cs = append(cs, localMoreCases()...)
	return cs
}

func localJoinCases() []diffCase {
	return []diffCase{
		{"inner-join", `SELECT c.customer_id, c.name, o.order_id, o.total FROM customers c JOIN orders o ON o.customer_id = c.customer_id WHERE c.customer_id IN ('C0001', 'C0002') ORDER BY o.order_id`, true},
		{"inner-join-using", `SELECT customer_id, o.order_id, c.tier FROM customers c JOIN orders o USING (customer_id) WHERE customer_id = 'C0004' ORDER BY 2`, true},
		{"left-join-null-side", `SELECT c.customer_id, count(o.order_id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id WHERE c.customer_id >= 'C0280' GROUP BY c.customer_id ORDER BY 1`, true},
		{"left-join-is-null", `SELECT c.customer_id FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id WHERE o.order_id IS NULL ORDER BY 1`, true},
		{"right-join", `SELECT o.order_id, c.name FROM customers c RIGHT JOIN orders o ON o.customer_id = c.customer_id AND c.vip WHERE o.customer_id = 'C0003' ORDER BY 1`, true},
		{"full-join", `SELECT a.customer_id, b.customer_id FROM (SELECT customer_id FROM customers WHERE customer_id < 'C0008') a FULL JOIN (SELECT DISTINCT customer_id FROM orders WHERE customer_id BETWEEN 'C0005' AND 'C0012') b ON a.customer_id = b.customer_id ORDER BY coalesce(a.customer_id, b.customer_id)`, true},
		{"cross-join", `SELECT c.customer_id, p.sku FROM customers c CROSS JOIN products p WHERE c.customer_id < 'C0003' AND p.sku < 10010 ORDER BY 1, 2`, true},
		{"comma-join", `SELECT c.customer_id, o.order_id FROM customers c, orders o WHERE c.customer_id = o.customer_id AND c.customer_id = 'C0010' ORDER BY 2`, true},
		{"self-join-referrer", `SELECT c.customer_id, r.customer_id, r.name FROM customers c JOIN customers r ON r.customer_id = c.referrer ORDER BY 1`, true},
		{"self-join-orders", `SELECT a.order_id, b.order_id FROM orders a JOIN orders b ON a.customer_id = b.customer_id AND a.order_id < b.order_id WHERE a.customer_id = 'C0020' ORDER BY 1, 2`, true},
		{"unnest-skus-join", `SELECT o.order_id, p.sku, p.name FROM orders o CROSS JOIN LATERAL unnest(o.item_skus) AS s(sku) JOIN products p ON p.sku = s.sku WHERE o.customer_id = 'C0002' ORDER BY 1, 2`, true},
		{"jsonb-items-join", `SELECT o.order_id, (i->>'sku')::numeric AS sku, (i->>'qty')::int AS qty, p.category FROM orders o, jsonb_array_elements(o.items) i JOIN products p ON p.sku = (i->>'sku')::numeric WHERE o.customer_id = 'C0003' ORDER BY 1, 2, 3`, true},
		{"lateral-top-order", `SELECT c.customer_id, t.order_id, t.total FROM customers c CROSS JOIN LATERAL (SELECT order_id, total FROM orders o WHERE o.customer_id = c.customer_id ORDER BY total DESC, order_id LIMIT 2) t WHERE c.customer_id < 'C0006' ORDER BY 1, 3 DESC, 2`, true},
		{"left-join-lateral", `SELECT c.customer_id, t.n FROM customers c LEFT JOIN LATERAL (SELECT count(*) AS n FROM orders o WHERE o.customer_id = c.customer_id AND o.status = 'RETURNED') t ON true WHERE c.customer_id <= 'C0010' ORDER BY 1`, true},
		{"three-way-join", `SELECT c.tier, p.category, count(*) FROM customers c JOIN orders o ON o.customer_id = c.customer_id CROSS JOIN LATERAL unnest(o.item_skus) s(sku) JOIN products p ON p.sku = s.sku GROUP BY c.tier, p.category ORDER BY 1, 2`, true},
		{"join-on-expression", `SELECT p.sku, q.sku FROM products p JOIN products q ON q.sku = p.sku + 3 WHERE p.sku < 10030 ORDER BY 1`, true},
	}
}

func localAggregateCases() []diffCase {
	return []diffCase{
		{"group-multi-agg", `SELECT status, count(*), sum(total), min(total), max(total), round(avg(total), 4) FROM orders GROUP BY status ORDER BY status`, true},
		{"group-two-keys", `SELECT status, currency, count(*) FROM orders GROUP BY status, currency ORDER BY 1, 2`, true},
		{"avg-exact", `SELECT tier, avg(balance) FROM customers GROUP BY tier ORDER BY tier`, true},
		{"bool-and-or", `SELECT category, bool_and(in_stock), bool_or(in_stock), count(*) FILTER (WHERE in_stock) FROM products GROUP BY category ORDER BY 1`, true},
		{"string-agg-ordered", `SELECT tier, string_agg(customer_id, ',' ORDER BY customer_id) FROM customers WHERE customer_id < 'C0030' GROUP BY tier ORDER BY 1`, true},
		{"string-agg-desc", `SELECT customer_id, string_agg(order_id, ' ' ORDER BY order_id DESC) FROM orders WHERE customer_id < 'C0005' GROUP BY customer_id ORDER BY 1`, true},
		{"array-agg", `SELECT customer_id, array_agg(order_id ORDER BY order_id) FROM orders WHERE customer_id IN ('C0007', 'C0008') GROUP BY customer_id ORDER BY 1`, true},
		{"json-agg", `SELECT customer_id, json_agg(status ORDER BY order_id) FROM orders WHERE customer_id IN ('C0009', 'C0010') GROUP BY customer_id ORDER BY 1`, true},
		{"jsonb-agg-object", `SELECT customer_id, jsonb_agg(jsonb_build_object('id', order_id, 'total', total) ORDER BY order_id) FROM orders WHERE customer_id = 'C0011' GROUP BY customer_id`, true},
		{"having-count", `SELECT customer_id, count(*) FROM orders GROUP BY customer_id HAVING count(*) >= 20 ORDER BY 2 DESC, 1`, true},
		{"having-sum", `SELECT category, sum(stock) FROM products GROUP BY category HAVING sum(stock) > 2000 AND min(price) < 50 ORDER BY 1`, true},
		{"count-distinct", `SELECT count(DISTINCT customer_id), count(DISTINCT status), count(coupon), count(*) FROM orders`, true},
		{"sum-distinct", `SELECT sum(DISTINCT qty) FROM (SELECT (i->>'qty')::int AS qty FROM orders o, jsonb_array_elements(o.items) i) s`, true},
		{"distinct-multi", `SELECT DISTINCT status, currency FROM orders ORDER BY 1, 2`, true},
		{"distinct-on", `SELECT DISTINCT ON (customer_id) customer_id, order_id, total FROM orders WHERE customer_id < 'C0010' ORDER BY customer_id, total DESC, order_id`, true},
		{"distinct-on-tier", `SELECT DISTINCT ON (tier) tier, customer_id, balance FROM customers ORDER BY tier, balance, customer_id`, true},
		{"agg-over-join", `SELECT p.category, sum((i->>'qty')::numeric * (i->>'unit_price')::numeric) AS revenue FROM orders o CROSS JOIN LATERAL jsonb_array_elements(o.items) i JOIN products p ON p.sku = (i->>'sku')::numeric GROUP BY p.category ORDER BY 1`, true},
		{"group-by-expression", `SELECT substr(created_at, 1, 7) AS month, count(*), sum(total) FROM orders GROUP BY 1 ORDER BY 1`, true},
		{"group-by-case", `SELECT CASE WHEN total >= 1000 THEN 'big' WHEN total >= 100 THEN 'mid' ELSE 'small' END AS size, count(*) FROM orders GROUP BY 1 ORDER BY 1`, true},
		{"agg-no-rows", `SELECT count(*), sum(total), max(order_id), bool_and(gift), string_agg(order_id, ',') FROM orders WHERE customer_id = 'nobody'`, true},
		{"agg-jsonb-field", `SELECT shipping->>'method' AS method, count(*), sum(total) FROM orders WHERE shipping IS NOT NULL GROUP BY 1 ORDER BY 1`, true},
		{"min-max-text", `SELECT country, min(name), max(email), count(*) FROM customers GROUP BY country ORDER BY country`, true},
	}
}

func localSubqueryCases() []diffCase {
	return []diffCase{
		{"scalar-subquery", `SELECT customer_id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.customer_id) AS n FROM customers c WHERE customer_id < 'C0012' ORDER BY 1`, true},
		{"scalar-subquery-max", `SELECT order_id, total FROM orders WHERE total = (SELECT max(total) FROM orders)`, true},
		{"scalar-subquery-where", `SELECT customer_id, balance FROM customers WHERE balance > (SELECT avg(balance) + 600 FROM customers) ORDER BY 1`, true},
		{"not-in-subquery", `SELECT customer_id FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders) ORDER BY 1`, true},
		{"not-in-with-null-empty", `SELECT customer_id FROM customers WHERE customer_id < 'C0010' AND customer_id NOT IN (SELECT referrer FROM customers)`, true},
		{"exists-correlated", `SELECT c.customer_id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id AND o.status = 'CANCELLED' AND o.total > 3000) ORDER BY 1`, true},
		{"not-exists-correlated", `SELECT c.customer_id, c.tier FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id AND o.currency = 'JPY') AND c.customer_id < 'C0100' ORDER BY 1`, true},
		{"in-subquery-products", `SELECT sku, name FROM products WHERE sku IN (SELECT unnest(item_skus) FROM orders WHERE customer_id = 'C0001') ORDER BY 1`, true},
		{"correlated-avg", `SELECT o.order_id, o.total FROM orders o WHERE o.customer_id = 'C0002' AND o.total > (SELECT avg(total) FROM orders x WHERE x.customer_id = o.customer_id) ORDER BY 1`, true},
		{"any-subquery", `SELECT sku, price FROM products WHERE price > ALL (SELECT price FROM products WHERE category = 'garden') ORDER BY 1`, true},
		{"derived-table-agg", `SELECT n, count(*) FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) s GROUP BY n ORDER BY n`, true},
		{"subquery-in-select-list-jsonb", `SELECT p.sku, (SELECT count(*) FROM orders o WHERE o.item_skus @> ARRAY[p.sku]) FROM products p WHERE p.sku < 10040 ORDER BY 1`, true},
	}
}

func localSetAndCTECases() []diffCase {
	return []diffCase{
		{"cte-twice", `WITH spend AS (SELECT customer_id, sum(total) AS s FROM orders GROUP BY customer_id) SELECT a.customer_id, a.s FROM spend a WHERE a.s > (SELECT avg(s) * 3 FROM spend) ORDER BY 1`, true},
		{"cte-chain", `WITH o AS (SELECT customer_id, total FROM orders WHERE status = 'DELIVERED'), c AS (SELECT customer_id, count(*) AS n, sum(total) AS t FROM o GROUP BY customer_id) SELECT cu.tier, sum(c.n), sum(c.t) FROM c JOIN customers cu USING (customer_id) GROUP BY cu.tier ORDER BY 1`, true},
		{"cte-join-self", `WITH x AS (SELECT customer_id, tier FROM customers WHERE customer_id < 'C0020') SELECT a.customer_id, b.customer_id FROM x a JOIN x b ON a.tier = b.tier AND a.customer_id < b.customer_id ORDER BY 1, 2`, true},
		{"recursive-cte", `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i, i * i FROM n ORDER BY i`, true},
		{"recursive-cte-referrers", `WITH RECURSIVE chain(start, cur, depth) AS (SELECT customer_id, referrer, 1 FROM customers WHERE referrer IS NOT NULL AND customer_id < 'C0100' UNION SELECT ch.start, c.referrer, ch.depth + 1 FROM chain ch JOIN customers c ON c.customer_id = ch.cur WHERE c.referrer IS NOT NULL AND ch.depth < 4) SELECT start, cur, depth FROM chain ORDER BY 1, 3, 2`, true},
		{"recursive-cte-join-table", `WITH RECURSIVE months(m) AS (SELECT 1 UNION ALL SELECT m + 1 FROM months WHERE m < 8) SELECT months.m, count(o.order_id), sum(o.total) FROM months LEFT JOIN orders o ON substr(o.created_at, 6, 2)::int = months.m AND o.created_at < '2024-07' GROUP BY months.m ORDER BY 1`, true},
		{"cte-in-subquery", `WITH vip AS (SELECT customer_id FROM customers WHERE vip) SELECT o.status, count(*) FROM orders o WHERE o.customer_id IN (SELECT customer_id FROM vip) GROUP BY o.status ORDER BY 1`, true},
		{"union-all", `SELECT 'c' AS kind, customer_id AS id FROM customers WHERE customer_id < 'C0004' UNION ALL SELECT 'o', order_id FROM orders WHERE customer_id = 'C0001' ORDER BY 1, 2`, true},
		{"union-dedup", `SELECT status FROM orders WHERE customer_id = 'C0001' UNION SELECT status FROM orders WHERE customer_id = 'C0002' ORDER BY 1`, true},
		{"intersect", `SELECT customer_id FROM orders WHERE currency = 'JPY' INTERSECT SELECT customer_id FROM orders WHERE currency = 'GBP' ORDER BY 1`, true},
		{"except", `SELECT customer_id FROM customers WHERE customer_id < 'C0060' EXCEPT SELECT customer_id FROM orders WHERE status = 'SHIPPED' ORDER BY 1`, true},
		{"union-all-unordered", `SELECT sku::text FROM products WHERE price < 5 UNION ALL SELECT customer_id FROM customers WHERE balance < -490`, false},
		{"intersect-all", `SELECT status FROM orders WHERE customer_id = 'C0001' INTERSECT ALL SELECT status FROM orders WHERE customer_id = 'C0002' ORDER BY 1`, true},
	}
}

func localWindowCases() []diffCase {
	return []diffCase{
		{"row-number-partition", `SELECT customer_id, order_id, row_number() OVER (PARTITION BY customer_id ORDER BY order_id) FROM orders WHERE customer_id < 'C0004' ORDER BY 1, 2`, true},
		{"rank-dense-rank", `SELECT sku, category, price, rank() OVER w, dense_rank() OVER w FROM products WINDOW w AS (PARTITION BY category ORDER BY price DESC) ORDER BY category, price DESC, sku`, true},
		{"lag-lead", `SELECT order_id, total, lag(total) OVER (ORDER BY order_id), lead(total, 2, 0) OVER (ORDER BY order_id) FROM orders WHERE customer_id = 'C0005' ORDER BY order_id`, true},
		{"running-sum", `SELECT order_id, total, sum(total) OVER (PARTITION BY customer_id ORDER BY order_id) FROM orders WHERE customer_id IN ('C0006', 'C0007') ORDER BY customer_id, order_id`, true},
		{"sliding-frame", `SELECT order_id, sum(total) OVER (ORDER BY order_id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), avg(total) OVER (ORDER BY order_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM orders WHERE customer_id = 'C0008' ORDER BY order_id`, true},
		{"ntile", `SELECT sku, price, ntile(4) OVER (ORDER BY price, sku) FROM products WHERE category = 'toys' ORDER BY price, sku`, true},
		{"first-last-value", `SELECT customer_id, order_id, first_value(order_id) OVER (PARTITION BY customer_id ORDER BY total DESC, order_id), last_value(order_id) OVER (PARTITION BY customer_id ORDER BY total DESC, order_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM orders WHERE customer_id < 'C0004' ORDER BY 1, 2`, true},
		{"window-over-aggregate", `SELECT status, count(*), rank() OVER (ORDER BY count(*) DESC, status), sum(count(*)) OVER () FROM orders GROUP BY status ORDER BY status`, true},
		{"window-count-partition", `SELECT customer_id, tier, count(*) OVER (PARTITION BY tier), percent_rank() OVER (PARTITION BY tier ORDER BY customer_id) FROM customers WHERE customer_id < 'C0025' ORDER BY 1`, true},
		{"top-n-per-group", `SELECT * FROM (SELECT customer_id, order_id, total, row_number() OVER (PARTITION BY customer_id ORDER BY total DESC, order_id) AS rn FROM orders) t WHERE rn <= 2 AND customer_id < 'C0008' ORDER BY customer_id, rn`, true},
	}
}

func localExpressionCases() []diffCase {
	return []diffCase{
		{"case-coalesce-nullif", `SELECT customer_id, coalesce(notes, 'none'), nullif(tier, 'gold'), CASE tier WHEN 'platinum' THEN 1 WHEN 'gold' THEN 2 ELSE 3 END FROM customers WHERE customer_id < 'C0015' ORDER BY 1`, true},
		{"numeric-scale", `SELECT order_id, total, total * 1.10, round(total * 0.0825, 2), total / 3, total - discount FROM orders WHERE customer_id = 'C0012' ORDER BY 1`, true},
		{"numeric-sum-scale", `SELECT sum(price * stock), sum(cost), sum(price) - sum(cost) FROM products`, true},
		{"generate-series-join", `SELECT g, count(o.order_id) FROM generate_series(1, 12) g LEFT JOIN orders o ON substr(o.created_at, 6, 2)::int = g AND o.created_at < '2024-07' GROUP BY g ORDER BY g`, true},
		{"values-join", `SELECT v.tier, v.rank, count(c.customer_id) FROM (VALUES ('bronze', 1), ('silver', 2), ('gold', 3), ('platinum', 4), ('iron', 5)) v(tier, rank) LEFT JOIN customers c ON c.tier = v.tier GROUP BY v.tier, v.rank ORDER BY v.rank`, true},
		{"jsonb-containment-join", `SELECT c.customer_id, o.order_id FROM customers c JOIN orders o ON o.shipping->'address'->>'city' = c.address->>'city' WHERE c.customer_id = 'C0001' AND o.customer_id < 'C0004' ORDER BY 1, 2`, true},
		{"jsonb-exists-agg", `SELECT count(*) FILTER (WHERE shipping ? 'events'), count(*) FILTER (WHERE shipping @> '{"insured": true}'), count(*) FILTER (WHERE items @> '[{"qty": 1}]') FROM orders`, true},
		{"jsonb-array-length-agg", `SELECT jsonb_array_length(items) AS lines, count(*), sum(total) FROM orders GROUP BY 1 ORDER BY 1`, true},
		{"generate-series-values", `SELECT a, b, a * b FROM generate_series(1, 3) a, (VALUES (10), (20)) v(b) ORDER BY 1, 2`, true},
		{"cardinality-unnest", `SELECT sku, cardinality(colors), (SELECT string_agg(x, '|' ORDER BY x) FROM unnest(colors) x) FROM products WHERE colors IS NOT NULL AND sku < 10060 ORDER BY 1`, true},
	}
}

// localEdgeCases probe the corners where a local executor most easily
// differs from PostgreSQL: NULLs, peers in window frames, type resolution
// across set operations, and the ordering of arrays and jsonb.
func localEdgeCases() []diffCase {
	return []diffCase{
		{"window-peers-default-frame", `SELECT customer_id, tier, count(*) OVER (ORDER BY tier), sum(balance) OVER (ORDER BY tier) FROM customers WHERE customer_id < 'C0030' ORDER BY tier, customer_id`, true},
		{"window-range-offset", `SELECT sku, price, count(*) OVER (ORDER BY price RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING) FROM products WHERE category = 'books' ORDER BY price, sku`, true},
		{"window-groups-frame", `SELECT customer_id, tier, count(*) OVER (ORDER BY tier GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM customers WHERE customer_id < 'C0020' ORDER BY tier, customer_id`, true},
		{"window-cume-dist-nth", `SELECT sku, stock, cume_dist() OVER (ORDER BY stock), nth_value(sku, 2) OVER (ORDER BY stock, sku ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM products WHERE category = 'garden' ORDER BY stock, sku`, true},
		{"window-partition-total", `SELECT order_id, total, sum(total) OVER (PARTITION BY customer_id), total * 100 / sum(total) OVER (PARTITION BY customer_id) FROM orders WHERE customer_id = 'C0014' ORDER BY order_id`, true},
		{"order-by-jsonb", `SELECT customer_id, address->'geo' FROM customers WHERE customer_id < 'C0040' ORDER BY address->'geo' NULLS FIRST, customer_id`, true},
		{"order-by-jsonb-mixed", `SELECT sku, related->0 FROM products WHERE sku < 10100 ORDER BY related->0, sku`, true},
		{"order-by-text-array", `SELECT customer_id, tags FROM customers WHERE tags IS NOT NULL AND customer_id < 'C0060' ORDER BY tags DESC, customer_id`, true},
		{"group-by-array", `SELECT colors, count(*) FROM products WHERE colors IS NOT NULL GROUP BY colors ORDER BY colors`, true},
		{"distinct-jsonb", `SELECT DISTINCT shipping->'address'->>'country' AS country, shipping->>'method' FROM orders WHERE shipping IS NOT NULL ORDER BY 1, 2`, true},
		{"unnest-tags-group", `SELECT tag, count(*) FROM customers, unnest(tags) tag GROUP BY tag ORDER BY 2 DESC, 1`, true},
		{"favorite-any-join", `SELECT c.customer_id, p.sku, p.price FROM customers c JOIN products p ON p.sku = ANY(c.favorite_skus) WHERE c.customer_id < 'C0030' ORDER BY 1, 2`, true},
		{"related-jsonb-self-join", `SELECT p.sku, q.sku, (r->>1)::numeric AS score FROM products p, jsonb_array_elements(p.related) r JOIN products q ON q.sku = (r->>0)::numeric WHERE p.sku < 10060 ORDER BY 1, 2, 3`, true},
		{"jsonb-each-dims", `SELECT key, count(*), min(value::text), max(value::text) FROM products, jsonb_each(dims) GROUP BY key ORDER BY key`, true},
		{"jsonb-object-keys-attrs", `SELECT k, count(*) FROM products, jsonb_object_keys(attrs) k GROUP BY k ORDER BY k`, true},
		{"null-aggregates", `SELECT bool_and(gift), bool_or(gift), count(gift), string_agg(coupon, ',' ORDER BY order_id) FROM orders WHERE customer_id = 'C0001'`, true},
		{"array-agg-nulls", `SELECT customer_id, array_agg(coupon ORDER BY order_id) FROM orders WHERE customer_id IN ('C0002', 'C0003') GROUP BY customer_id ORDER BY 1`, true},
		{"numeric-mixed-scale-sum", `SELECT sum(price), sum(price * 2), avg(price), sum(weight_kg), max(weight_kg) FROM products`, true},
		{"numeric-division", `SELECT sku, price / 7, div(stock, 7), mod(stock, 7), price % 3, stock / nullif(stock % 5, 0) FROM products WHERE sku < 10040 ORDER BY sku`, true},
		{"avg-integer", `SELECT category, avg(stock), avg(stock::int), sum(stock::int), avg(credit)::numeric(10,2) FROM (SELECT category, stock, price::float8 AS credit FROM products) p GROUP BY category ORDER BY 1`, true},
		{"union-type-resolution", `SELECT sku, price FROM products WHERE sku < 10010 UNION ALL SELECT 1, 2.5 UNION ALL SELECT 2, NULL ORDER BY 1, 2`, true},
		{"nested-set-ops", `(SELECT status FROM orders WHERE currency = 'JPY' UNION SELECT status FROM orders WHERE currency = 'GBP') EXCEPT SELECT 'PAID' ORDER BY 1`, true},
		{"except-all", `SELECT status FROM orders WHERE customer_id = 'C0001' EXCEPT ALL SELECT status FROM orders WHERE customer_id = 'C0002' ORDER BY 1`, true},
		{"in-values", `SELECT customer_id, tier FROM customers WHERE (tier, vip) IN (VALUES ('gold', true), ('bronze', true)) ORDER BY 1`, true},
		{"scalar-subquery-null", `SELECT customer_id, (SELECT max(order_id) FROM orders o WHERE o.customer_id = c.customer_id AND o.total > 20000) FROM customers c WHERE customer_id < 'C0015' ORDER BY 1`, true},
		{"not-in-empty", `SELECT count(*) FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders WHERE total < 0)`, true},
		{"any-some-subquery", `SELECT sku FROM products WHERE price < SOME (SELECT price FROM products WHERE category = 'toys') AND price = ANY (SELECT price FROM products WHERE in_stock AND stock > 300) ORDER BY 1`, true},
		{"having-correlated", `SELECT c.tier, count(*) FROM customers c GROUP BY c.tier HAVING count(*) > (SELECT count(*) / 5 FROM customers) ORDER BY 1`, true},
		{"order-by-aggregate-hidden", `SELECT currency FROM orders GROUP BY currency ORDER BY sum(total) DESC, currency`, true},
		{"case-in-aggregate", `SELECT currency, sum(CASE WHEN status = 'RETURNED' THEN total ELSE 0 END), count(CASE WHEN gift THEN 1 END) FROM orders GROUP BY currency ORDER BY 1`, true},
		{"boolean-order", `SELECT vip, in_tier, count(*) FROM (SELECT vip, tier IN ('gold', 'platinum') AS in_tier FROM customers) s GROUP BY 1, 2 ORDER BY 1 DESC, 2`, true},
		{"string-functions", `SELECT customer_id, split_part(email, '@', 1), left(name, 3), position(' ' IN name), initcap(lower(name)) FROM customers WHERE customer_id < 'C0010' ORDER BY 1`, true},
		{"geo-numeric-agg", `SELECT count(*), max((address->'geo'->>'lat')::numeric), min((address->'geo'->>'lon')::numeric), round(avg((address->'geo'->>'lat')::numeric), 6) FROM customers`, true},
		{"lateral-agg-limit", `SELECT p.sku, x.n, x.q FROM products p LEFT JOIN LATERAL (SELECT count(*) AS n, sum((i->>'qty')::int) AS q FROM orders o, jsonb_array_elements(o.items) i WHERE (i->>'sku')::numeric = p.sku) x ON true WHERE p.sku < 10030 ORDER BY 1`, true},
		{"full-join-nonequi", `SELECT a.x, b.y FROM (VALUES (1), (2), (5)) a(x) FULL JOIN (VALUES (2), (3), (6)) b(y) ON a.x + 1 = b.y ORDER BY a.x NULLS LAST, b.y`, true},
		{"generate-series-step", `SELECT g, count(o.order_id) FROM generate_series(0, 45000, 5000) g LEFT JOIN orders o ON o.total >= g AND o.total < g + 5000 GROUP BY g ORDER BY g`, true},
	}
}

// localMoreCases cover aggregates and functions that reports and
// dashboards use over the same joins.
func localMoreCases() []diffCase {
	return []diffCase{
		{"distinct-aggregates", `SELECT customer_id, string_agg(DISTINCT status, ',' ORDER BY status), array_agg(DISTINCT currency ORDER BY currency), count(DISTINCT currency) FROM orders WHERE customer_id < 'C0006' GROUP BY customer_id ORDER BY 1`, true},
		{"json-agg-numbers", `SELECT customer_id, json_agg(total ORDER BY order_id), jsonb_agg(items->0->'qty' ORDER BY order_id) FROM orders WHERE customer_id IN ('C0015', 'C0016') GROUP BY customer_id ORDER BY 1`, true},
		{"jsonb-object-agg", `SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM orders GROUP BY status) s`, true},
		{"stddev-variance", `SELECT category, round(stddev(price), 6), round(variance(stock), 6), round(stddev_pop(price), 6) FROM products GROUP BY category ORDER BY 1`, true},
		{"coalesce-sum-empty", `SELECT c.customer_id, coalesce(sum(o.total), 0), coalesce(max(o.order_id), '-') FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id AND o.status = 'RETURNED' WHERE c.customer_id < 'C0012' GROUP BY c.customer_id ORDER BY 1`, true},
		{"window-following-frame", `SELECT order_id, total, sum(total) OVER (ORDER BY order_id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), max(total) OVER (ORDER BY order_id ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) FROM orders WHERE customer_id = 'C0017' ORDER BY order_id`, true},
		{"window-exclude", `SELECT order_id, sum(total) OVER (ORDER BY order_id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) FROM orders WHERE customer_id = 'C0018' ORDER BY order_id`, true},
		{"window-over-join", `SELECT c.tier, o.order_id, o.total, rank() OVER (PARTITION BY c.tier ORDER BY o.total DESC, o.order_id) FROM customers c JOIN orders o ON o.customer_id = c.customer_id WHERE c.customer_id < 'C0006' ORDER BY 1, 4`, true},
		{"fetch-with-ties", `SELECT sku, stock FROM products ORDER BY stock DESC FETCH FIRST 5 ROWS WITH TIES`, false},
		{"nested-correlation", `SELECT c.customer_id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id AND EXISTS (SELECT 1 FROM products p WHERE p.sku = ANY(o.item_skus) AND p.stock * 100 > c.credit_limit)) ORDER BY 1`, true},
		{"is-distinct-join", `SELECT a.customer_id, b.customer_id FROM customers a JOIN customers b ON a.referrer IS NOT DISTINCT FROM b.referrer AND a.customer_id < b.customer_id WHERE a.customer_id < 'C0015' AND b.customer_id < 'C0015' ORDER BY 1, 2`, true},
		{"greatest-least", `SELECT sku, greatest(price, cost * 2, 100), least(stock, 10, price) FROM products WHERE sku < 10030 ORDER BY sku`, true},
		{"array-functions", `SELECT sku, array_length(colors, 1), array_to_string(colors, '/'), array_position(colors, 'red'), 'red' = ANY(colors) FROM products WHERE sku < 10050 ORDER BY sku`, true},
		{"regexp-split", `SELECT w, count(*) FROM products, regexp_split_to_table(name, ' ') w GROUP BY w ORDER BY 2 DESC, 1 LIMIT 10`, true},
		{"string-to-array-unnest", `SELECT part, count(*) FROM customers, unnest(string_to_array(email, '@')) part WHERE customer_id < 'C0005' GROUP BY part ORDER BY 1`, true},
		{"date-parts", `SELECT extract(month FROM created_at::timestamp) AS m, date_trunc('month', created_at::timestamp), count(*) FROM orders WHERE created_at < '2024-04' GROUP BY 1, 2 ORDER BY 1`, true},
		{"round-avg-cast", `SELECT status, round(avg(total)), avg(total)::numeric(12,2), trunc(avg(total), 1) FROM orders GROUP BY status ORDER BY 1`, true},
		{"select-star-using", `SELECT * FROM customers c JOIN orders o USING (customer_id) WHERE customer_id = 'C0019' ORDER BY o.order_id`, true},
		{"natural-join", `SELECT * FROM (SELECT customer_id, tier FROM customers) a NATURAL JOIN (SELECT customer_id, order_id FROM orders) b WHERE customer_id < 'C0004' ORDER BY order_id`, true},
		{"group-by-jsonb-path", `SELECT address->'city' AS city, count(*), min(customer_id) FROM customers GROUP BY address->'city' ORDER BY city NULLS FIRST`, true},
		{"having-without-group", `SELECT count(*), sum(stock) FROM products HAVING count(*) > 10`, true},
		{"window-count-all-limit", `SELECT order_id, count(*) OVER () FROM orders WHERE customer_id = 'C0021' ORDER BY order_id LIMIT 3`, true},
		{"named-window-lead", `SELECT order_id, status, lead(order_id) OVER w, lag(status, 1, '-') OVER w FROM orders WHERE customer_id < 'C0003' WINDOW w AS (PARTITION BY customer_id ORDER BY order_id) ORDER BY order_id`, true},
		{"lateral-series-jsonb", `SELECT o.order_id, g, o.items->(g - 1)->>'name' FROM orders o, generate_series(1, jsonb_array_length(o.items)) g WHERE o.customer_id = 'C0022' ORDER BY 1, 2`, true},
		{"case-exists", `SELECT c.customer_id, CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id AND o.gift) THEN 'gifter' ELSE 'no' END FROM customers c WHERE c.customer_id < 'C0020' ORDER BY 1`, true},
		{"distinct-order-expression", `SELECT DISTINCT upper(tier) AS t, vip FROM customers ORDER BY t, vip`, true},
		{"lateral-inner-limit-each", `SELECT c.customer_id, x.order_id FROM customers c JOIN LATERAL (SELECT order_id FROM orders o WHERE o.customer_id = c.customer_id ORDER BY order_id DESC LIMIT 1) x ON true WHERE c.customer_id BETWEEN 'C0030' AND 'C0040' ORDER BY 1`, true},
		{"big-numeric-agg", `SELECT sum(lifetime_value), avg(lifetime_value), max(lifetime_value * lifetime_value), min(lifetime_value / 7) FROM customers`, true},
		{"numeric-series", `SELECT g, g * 2, sum(g) OVER (ORDER BY g) FROM generate_series(0.5, 2.5, 0.5) g ORDER BY g`, true},
		{"unnest-two-arrays", `SELECT sku, c, s FROM products, unnest(colors, sizes) AS u(c, s) WHERE sku < 10100 AND colors IS NOT NULL AND sizes IS NOT NULL ORDER BY 1, 2 NULLS LAST, 3 NULLS LAST`, true},
		{"jsonb-elements-ordinality", `SELECT o.order_id, t.n, t.line->>'sku' FROM orders o, jsonb_array_elements(o.items) WITH ORDINALITY AS t(line, n) WHERE o.customer_id = 'C0023' ORDER BY 1, 2`, true},
		{"jsonb-each-aliased", `SELECT p.sku, d.k, d.v FROM products p, jsonb_each_text(p.dims) AS d(k, v) WHERE p.sku < 10020 ORDER BY 1, 2`, true},
		{"order-collate-c", `SELECT name FROM customers WHERE customer_id < 'C0030' ORDER BY name COLLATE "C", customer_id`, true},
		{"subquery-from-union-agg", `SELECT kind, count(*), sum(amount) FROM (SELECT 'order' AS kind, total AS amount FROM orders WHERE customer_id < 'C0010' UNION ALL SELECT 'balance', balance FROM customers WHERE customer_id < 'C0010') u GROUP BY kind ORDER BY 1`, true},
	}
}

// TestDifferentialLocalExecutor runs localDifferentialCases through fazproxy
// and the reference PostgreSQL, in the simple and the extended protocol.
func TestDifferentialLocalExecutor(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	proxy := connect(ctx, t, proxyDSN())
	ref := connect(ctx, t, env.pgDSN)
	for _, c := range localDifferentialCases() {
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheDescribe} {
				compareWithReference(ctx, t, proxy, ref, c, mode)
			}
		})
	}
}

// compareWithReference runs one case in one protocol mode on both servers and
// reports a difference. A case whose reference answer is empty compares
// nothing, so it fails unless its name says it expects no rows.
func compareWithReference(ctx context.Context, t *testing.T, proxy, ref *pgx.Conn, c diffCase, mode pgx.QueryExecMode) {
	t.Helper()
	want, err := collect(ctx, ref, c.sql, mode)
	if err != nil {
		t.Fatalf("reference PostgreSQL: %v\n%s", err, c.sql)
	}
	if len(want) == 0 && !strings.HasSuffix(c.name, "-empty") {
		t.Fatalf("the reference returns no rows, so this case compares nothing: fix the query\n%s", c.sql)
	}
	got, err := collect(ctx, proxy, c.sql, mode)
	if err != nil {
		t.Fatalf("fazproxy (%v): %v\n%s\n%s", mode, err, c.sql, logTail())
	}
	if !c.ordered {
		sortRows(want)
		sortRows(got)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s (%v): rows differ\n got: %s\nwant: %s", c.sql, mode, show(got), show(want))
	}
}
