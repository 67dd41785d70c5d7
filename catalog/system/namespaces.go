package system

// namespace is one schema.
type namespace struct {
	oid  uint32
	name string
}

// namespaces are the schemas that exist: DynamoDB tables live in public.
func namespaces() []namespace {
	return []namespace{
		{pgCatalogNS, pgCatalog},
		{pgToastNS, "pg_toast"},
		{publicNSOID, publicNS},
		{infoSchemaNS, infoSchema},
	}
}

func namespaceOID(schema string) uint32 {
	for _, n := range namespaces() {
		if n.name == schema {
			return n.oid
		}
	}
	return 0
}

func namespaceBuilders() map[string]builder {
	return map[string]builder{
		"pg_catalog.pg_namespace": static(func(rs *rowSet) {
			for _, n := range namespaces() {
				rs.add(vals{"oid": oid(n.oid), "nspname": n.name, "nspowner": oid(ownerOID)})
			}
		}),
		"information_schema.schemata": fromEnv(func(rs *rowSet, env Env) {
			for _, n := range namespaces() {
				if n.oid == pgToastNS {
					continue // PostgreSQL lists only schemas the user owns or may use
				}
				rs.add(vals{"catalog_name": env.Database(), "schema_name": n.name, "schema_owner": env.User()})
			}
		}),
	}
}
