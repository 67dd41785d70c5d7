// Package demo is fazproxy's demo data set: three DynamoDB tables (customers,
// orders with a GSI and an LSI, products) holding every DynamoDB attribute type,
// generated deterministically from a fixed seed. The same rows can be created
// and loaded into DynamoDB (Create, Load) and rendered as SQL for a real
// PostgreSQL (PostgresSQL), which the differential tests compare fazproxy with.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is one DynamoDB item.
type Item = map[string]types.AttributeValue

// KeyAttr is a key attribute: its name and scalar type (S, N or B).
type KeyAttr struct {
	Name string
	Type types.ScalarAttributeType
}

// Index is a global or local secondary index.
type Index struct {
	Name             string
	Local            bool // a local secondary index (same partition key as the table)
	PartitionKey     KeyAttr
	SortKey          *KeyAttr // nil when the index has none
	Projection       types.ProjectionType
	NonKeyAttributes []string // for ProjectionTypeInclude
}

// Table is one demo table: its schema and its items.
type Table struct {
	Name         string
	PartitionKey KeyAttr
	SortKey      *KeyAttr // nil when the table has none
	Indexes      []Index
	Items        []Item
}

// Sizes of the data set.
const (
	NumCustomers = 300
	NumOrders    = 2500
	NumProducts  = 200
)

// seed fixes the data set; change it and every derived expectation changes.
const seed1, seed2 = 20261125, 5432

// baseTime is the first order's creation time (the data set never reads the clock).
func baseTime() time.Time { return time.Date(2024, time.January, 1, 8, 0, 0, 0, time.UTC) }

// Tables returns the demo tables, freshly generated (callers may modify them).
// The result is the same on every call and every machine.
func Tables() []Table {
	r := rand.New(rand.NewPCG(seed1, seed2))
	products := genProducts(r)
	customers := genCustomers(r, products)
	orders := genOrders(r, products)
	return []Table{
		{
			Name:         "customers",
			PartitionKey: KeyAttr{"customer_id", types.ScalarAttributeTypeS},
			Items:        customers,
		},
		{
			Name:         "orders",
			PartitionKey: KeyAttr{"customer_id", types.ScalarAttributeTypeS},
			SortKey:      &KeyAttr{"order_id", types.ScalarAttributeTypeS},
			Indexes: []Index{
				{
					Name:         "status-created_at-index",
					PartitionKey: KeyAttr{"status", types.ScalarAttributeTypeS},
					SortKey:      &KeyAttr{"created_at", types.ScalarAttributeTypeS},
					Projection:   types.ProjectionTypeAll,
				},
				{
					Name:             "customer_id-total-index",
					Local:            true,
					PartitionKey:     KeyAttr{"customer_id", types.ScalarAttributeTypeS},
					SortKey:          &KeyAttr{"total", types.ScalarAttributeTypeN},
					Projection:       types.ProjectionTypeInclude,
					NonKeyAttributes: []string{"status", "created_at"},
				},
			},
			Items: orders,
		},
		{
			Name:         "products",
			PartitionKey: KeyAttr{"sku", types.ScalarAttributeTypeN},
			Items:        products,
		},
	}
}

// TableByName returns the demo table with that name.
func TableByName(name string) (Table, bool) {
	for _, t := range Tables() {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// ---- value constructors ----

func avS(v string) types.AttributeValue  { return &types.AttributeValueMemberS{Value: v} }
func avN(v string) types.AttributeValue  { return &types.AttributeValueMemberN{Value: v} }
func avB(v []byte) types.AttributeValue  { return &types.AttributeValueMemberB{Value: v} }
func avBool(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }
func avNull() types.AttributeValue       { return &types.AttributeValueMemberNULL{Value: true} }
func avM(m Item) types.AttributeValue    { return &types.AttributeValueMemberM{Value: m} }
func avL(l ...types.AttributeValue) types.AttributeValue {
	if l == nil {
		l = []types.AttributeValue{}
	}
	return &types.AttributeValueMemberL{Value: l}
}
func avInt(v int64) types.AttributeValue { return avN(strconv.FormatInt(v, 10)) }

// Sets are kept sorted (strings and bytes bytewise, numbers by value) so that
// their order is the same everywhere we render them.
func avSS(v ...string) types.AttributeValue {
	v = slices.Clone(v)
	slices.Sort(v)
	return &types.AttributeValueMemberSS{Value: slices.Compact(v)}
}

func avNSInts(v ...int64) types.AttributeValue {
	v = slices.Clone(v)
	slices.Sort(v)
	v = slices.Compact(v)
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatInt(x, 10)
	}
	return &types.AttributeValueMemberNS{Value: out}
}

func avNSCents(v ...int64) types.AttributeValue {
	v = slices.Clone(v)
	slices.Sort(v)
	v = slices.Compact(v)
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = cents(x)
	}
	return &types.AttributeValueMemberNS{Value: out}
}

func avBS(v ...[]byte) types.AttributeValue {
	v = slices.Clone(v)
	slices.SortFunc(v, func(a, b []byte) int { return strings.Compare(string(a), string(b)) })
	v = slices.CompactFunc(v, func(a, b []byte) bool { return string(a) == string(b) })
	return &types.AttributeValueMemberBS{Value: v}
}

// cents renders an amount in hundredths the way DynamoDB stores numbers:
// no trailing fractional zeros (70.30 → "70.3", 70.00 → "70").
func cents(c int64) string {
	return scaled(c, 2)
}

// scaled renders v / 10^scale without trailing fractional zeros.
func scaled(v int64, scale int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	for len(s) <= scale {
		s = "0" + s
	}
	ip, fp := s[:len(s)-scale], strings.TrimRight(s[len(s)-scale:], "0")
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// digits38 returns a number with exactly 38 significant digits, the most
// DynamoDB keeps, with the decimal point after intDigits digits (0 ≤ intDigits ≤ 38).
func digits38(r *rand.Rand, intDigits int, negative bool) string {
	var b strings.Builder
	d := make([]byte, 38)
	d[0] = byte('1' + r.IntN(9))
	for i := 1; i < 37; i++ {
		d[i] = byte('0' + r.IntN(10))
	}
	d[37] = byte('1' + r.IntN(9)) // never a trailing zero
	if negative {
		b.WriteByte('-')
	}
	if intDigits == 0 {
		b.WriteString("0.")
		b.Write(d)
	} else {
		b.Write(d[:intDigits])
		if intDigits < 38 {
			b.WriteByte('.')
			b.Write(d[intDigits:])
		}
	}
	return b.String()
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// ---- word lists (quotes, unicode, and plain ASCII on purpose) ----
// Functions, not package variables, so nothing shared can be modified.

func firstNames() []string {
	return []string{
		"Ada", "Björn", "Chloé", "Dmitri", "Émile", "Fatima", "Grace", "Hiroshi",
		"Ines", "José", "Kai", "Łukasz", "Maria", "Nguyễn", "Olu", "Priya",
		"Quinn", "Renée", "Søren", "Tomás", "Ursula", "Vikram", "Wei", "Xóchitl",
		"Yusuf", "Zoë", "李", "Ана", "Mary-Kate", "Jean-Luc",
	}
}

func lastNames() []string {
	return []string{
		"O'Brien", "D'Angelo", "Smith", "Müller", "García", "Kowalski", "Tanaka",
		"Okafor", "Dubois", "Rossi", "Nakamura", "Ivanova", "Silva", "Andersson",
		"van der Berg", "Ó Súilleabháin", "王", "Nørgaard", "Petrović", "Lefèvre",
	}
}

type city struct{ city, country, zip string }

func cities() []city {
	return []city{
		{"Berlin", "DE", "10115"}, {"München", "DE", "80331"}, {"Paris", "FR", "75001"},
		{"Lyon", "FR", "69001"}, {"Tokyo", "JP", "100-0001"}, {"São Paulo", "BR", "01000-000"},
		{"Bengaluru", "IN", "560001"}, {"London", "GB", "EC1A 1BB"}, {"Toronto", "CA", "M5H 2N2"},
		{"Kraków", "PL", "30-001"}, {"Hà Nội", "VN", "100000"}, {"Seattle", "US", "98101"},
		{"New York", "US", "10001"}, {"Austin", "US", "73301"}, {"Zürich", "CH", "8001"},
	}
}

func streets() []string {
	return []string{"Main St", "Hauptstraße", "Rue de l'Église", "Elm Ave", "Calle Mayor", "1st Ave", "Ulica Długa"}
}

func tiers() []string { return []string{"bronze", "silver", "gold", "platinum"} }

func customerTags() []string {
	return []string{"newsletter", "beta", "wholesale", "churn-risk", "vip-support", "émigré", "b2b"}
}

func notesText() []string {
	return []string{
		"",
		"Prefers e-mail; don't call",
		`Said "thanks!" twice`,
		"Café owner ☕ — orders in bulk",
		"Line one\nline two",
		"Tab\tseparated",
		"Back\\slash and 'single' quotes",
		"日本語のメモ",
		"emoji 🎉🚀",
		"   leading and trailing spaces   ",
	}
}

func categories() []string {
	return []string{"apparel", "books", "electronics", "garden", "kitchen", "toys", "sports"}
}

func productWords() []string {
	return []string{
		"Widget", "Gadget", "Doohickey", "Gizmo", "Sprocket", "Thingamajig",
		"Crème Brûlée Torch", "Kettle", "Lamp", "Notebook", "Trail Shoe", "Yo-yo",
	}
}

func productAdjectives() []string {
	return []string{"Classic", "Deluxe", "Mini", "Pro", "Eco", "\"Smart\"", "Kids'", "Über"}
}

func colors() []string {
	return []string{"black", "white", "red", "green", "blue", "beige", "grün", "navy"}
}

func materials() []string {
	return []string{"cotton", "steel", "oak", "bamboo", "recycled PET", "wool"}
}

func statuses() []string {
	return []string{"PENDING", "PAID", "SHIPPED", "DELIVERED", "DELIVERED", "DELIVERED", "CANCELLED", "RETURNED"}
}

func coupons() []string { return []string{"WELCOME10", "SPRING-24", "FREESHIP", "VIP", "BLACKFRIDAY"} }

func orderLabels() []string {
	return []string{"priority", "fragile", "gift-wrap", "b2b", "backorder", "überweisung"}
}

func shipMethods() []string { return []string{"standard", "express", "pickup", "freight"} }

// ---- products ----

// productSKU returns the sku of product i (0-based).
func productSKU(i int) int64 { return 10001 + int64(i)*3 }

type productInfo struct {
	sku   int64
	name  string
	price int64 // cents
}

func genProducts(r *rand.Rand) []Item {
	items := make([]Item, 0, NumProducts)
	for i := range NumProducts {
		sku := productSKU(i)
		name := pick(r, productAdjectives()) + " " + pick(r, productWords())
		price := int64(99 + r.IntN(49900)) // 0.99 .. 499.98
		if i%25 == 0 {
			price = int64(1000 * (1 + r.IntN(20))) // whole amounts: 10, 20, ... (stored "10")
		}
		it := Item{
			"sku":      avInt(sku),
			"name":     avS(name),
			"category": avS(pick(r, categories())),
			"price":    avN(cents(price)),
			"cost":     avN(cents(price * int64(40+r.IntN(40)) / 100)),
			"in_stock": avBool(r.IntN(5) != 0),
			"stock":    avInt(int64(r.IntN(500) - 20)), // a few negative (back-ordered)
			"dims": avM(Item{
				"w":    avN(scaled(int64(10+r.IntN(990)), 1)),
				"h":    avN(scaled(int64(10+r.IntN(990)), 1)),
				"d":    avN(scaled(int64(10+r.IntN(990)), 1)),
				"unit": avS("cm"),
			}),
			"ratings": avL(),
		}
		// weight: ordinary decimals, and a few with 38 significant digits.
		switch {
		case i%67 == 5:
			it["weight_kg"] = avN(digits38(r, 2, false))
		case i%67 == 6:
			it["weight_kg"] = avN(digits38(r, 0, false))
		default:
			it["weight_kg"] = avN(scaled(int64(50+r.IntN(25000)), 3))
		}
		if i%40 == 7 {
			it["weight_kg"] = avN("0") // zero
		}
		if nr := r.IntN(6); nr > 0 {
			rs := make([]types.AttributeValue, nr)
			for j := range rs {
				rs[j] = avInt(int64(1 + r.IntN(5)))
			}
			it["ratings"] = avL(rs...)
		}
		if chance(r, 0.6) {
			n := 1 + r.IntN(4)
			cs := make([]string, n)
			for j := range cs {
				cs[j] = pick(r, colors())
			}
			it["colors"] = avSS(cs...)
		}
		if chance(r, 0.4) {
			n := 1 + r.IntN(5)
			ss := make([]int64, n)
			for j := range ss {
				ss[j] = int64(34 + r.IntN(14))
			}
			if chance(r, 0.3) {
				it["sizes"] = avNSCents(ss[0]*100+50, ss[0]*100) // half sizes: 38.5
			} else {
				it["sizes"] = avNSInts(ss...)
			}
		}
		if chance(r, 0.25) {
			n := 1 + r.IntN(3)
			bs := make([][]byte, n)
			for j := range bs {
				bs[j] = randBytes(r, 4+r.IntN(8))
			}
			it["thumbnails"] = avBS(bs...)
		}
		if chance(r, 0.3) {
			it["image"] = avB(randBytes(r, 16+r.IntN(48)))
		}
		// related: a nested list of [sku, score] pairs.
		if chance(r, 0.5) {
			n := 1 + r.IntN(3)
			rel := make([]types.AttributeValue, n)
			for j := range rel {
				rel[j] = avL(avInt(productSKU(r.IntN(NumProducts))), avN(scaled(int64(r.IntN(1000)), 3)))
			}
			it["related"] = avL(rel...)
		}
		// attrs: a nested map with lists, maps, bools, nulls and numbers inside.
		if chance(r, 0.7) {
			origin := Item{"country": avS(pick(r, cities()).country), "certified": avBool(chance(r, 0.5))}
			if chance(r, 0.3) {
				origin["batch"] = avNull()
			} else {
				origin["batch"] = avInt(int64(1000 + r.IntN(9000)))
			}
			attrs := Item{
				"material": avS(pick(r, materials())),
				"care":     avL(avS("wash 30°"), avS("don't tumble dry")),
				"origin":   avM(origin),
			}
			if chance(r, 0.2) {
				attrs["tolerance"] = avN(digits38(r, 1, chance(r, 0.5)))
			}
			if chance(r, 0.2) {
				attrs["empty"] = avM(Item{})
			}
			it["attrs"] = avM(attrs)
		}
		switch {
		case i%10 == 3:
			it["discontinued_at"] = avS(baseTime().AddDate(0, r.IntN(24), r.IntN(28)).Format("2006-01-02"))
		case i%10 == 4:
			it["discontinued_at"] = avNull()
		}
		if chance(r, 0.5) {
			it["description"] = avS(pick(r, notesText()))
		}
		items = append(items, it)
	}
	return items
}

// ---- customers ----

func customerID(i int) string { return fmt.Sprintf("C%04d", i+1) }

func genCustomers(r *rand.Rand, products []Item) []Item {
	items := make([]Item, 0, NumCustomers)
	for i := range NumCustomers {
		first, last := pick(r, firstNames()), pick(r, lastNames())
		c := pick(r, cities())
		it := Item{
			"customer_id":  avS(customerID(i)),
			"name":         avS(first + " " + last),
			"email":        avS(fmt.Sprintf("user%04d@example.com", i+1)),
			"country":      avS(c.country),
			"tier":         avS(pick(r, tiers())),
			"signup_date":  avS(baseTime().AddDate(-3, 0, r.IntN(3*365)).Format("2006-01-02")),
			"vip":          avBool(chance(r, 0.15)),
			"credit_limit": avInt(int64(500 + 100*r.IntN(200))),
			"balance":      avN(cents(int64(r.IntN(150000) - 50000))),
		}
		if chance(r, 0.8) {
			it["loyalty_points"] = avInt(int64(r.IntN(100000)))
		}
		if chance(r, 0.6) {
			n := 1 + r.IntN(3)
			ts := make([]string, n)
			for j := range ts {
				ts[j] = pick(r, customerTags())
			}
			it["tags"] = avSS(ts...)
		}
		if chance(r, 0.4) {
			n := 1 + r.IntN(4)
			fs := make([]int64, n)
			for j := range fs {
				fs[j] = productSKU(r.IntN(len(products)))
			}
			it["favorite_skus"] = avNSInts(fs...)
		}
		if chance(r, 0.3) {
			it["avatar"] = avB(randBytes(r, 8+r.IntN(9)))
		}
		if chance(r, 0.9) {
			lat := int64(r.IntN(1800000) - 900000)
			lon := int64(r.IntN(3600000) - 1800000)
			addr := Item{
				"street": avS(fmt.Sprintf("%d %s", 1+r.IntN(200), pick(r, streets()))),
				"city":   avS(c.city),
				"zip":    avS(c.zip),
				"geo":    avM(Item{"lat": avN(scaled(lat, 4)), "lon": avN(scaled(lon, 4))}),
			}
			if chance(r, 0.2) {
				addr["line2"] = avS("")
			}
			it["address"] = avM(addr)
		}
		np := r.IntN(3)
		phones := make([]types.AttributeValue, np)
		for j := range phones {
			phones[j] = avM(Item{
				"kind":   avS(pick(r, []string{"mobile", "home", "work"})),
				"number": avS(fmt.Sprintf("+%d %03d %04d", 1+r.IntN(98), r.IntN(1000), r.IntN(10000))),
			})
		}
		it["phones"] = avL(phones...)
		if chance(r, 0.3) {
			it["notes"] = avS(pick(r, notesText()))
		}
		switch x := r.IntN(10); {
		case x < 2:
			it["referrer"] = avS(customerID(r.IntN(NumCustomers)))
		case x < 4:
			it["referrer"] = avNull()
		}
		switch {
		case i%60 == 11:
			it["lifetime_value"] = avN(digits38(r, 20, false))
		case i%60 == 12:
			it["lifetime_value"] = avN(digits38(r, 38, false))
		case i%60 == 13:
			it["lifetime_value"] = avN(digits38(r, 5, true))
		default:
			it["lifetime_value"] = avN(cents(int64(r.IntN(5000000))))
		}
		items = append(items, it)
	}
	return items
}

// ---- orders ----

func genOrders(r *rand.Rand, products []Item) []Item {
	// prices by sku for the order lines
	infos := make([]productInfo, len(products))
	for i, p := range products {
		sku, _ := strconv.ParseInt(p["sku"].(*types.AttributeValueMemberN).Value, 10, 64)
		price := p["price"].(*types.AttributeValueMemberN).Value
		infos[i] = productInfo{sku: sku, name: p["name"].(*types.AttributeValueMemberS).Value, price: mustCents(price)}
	}
	items := make([]Item, 0, NumOrders)
	at := baseTime()
	for i := range NumOrders {
		at = at.Add(time.Duration(30+r.IntN(240)) * time.Minute).Add(time.Duration(r.IntN(60)) * time.Second)
		// Skewed customer choice: low ids order more; some customers never order.
		ci := int(float64(NumCustomers) * r.Float64() * r.Float64() * 1.15)
		if ci >= NumCustomers {
			ci = r.IntN(NumCustomers)
		}
		status := pick(r, statuses())
		nl := 1 + r.IntN(4)
		lines := make([]types.AttributeValue, nl)
		skus := make([]int64, nl)
		var total int64
		for j := range lines {
			p := infos[r.IntN(len(infos))]
			qty := int64(1 + r.IntN(5))
			if r.IntN(8) == 0 {
				qty = int64(10 + r.IntN(90))
			}
			skus[j] = p.sku
			total += qty * p.price
			lines[j] = avM(Item{
				"sku":        avInt(p.sku),
				"qty":        avInt(qty),
				"unit_price": avN(cents(p.price)),
				"name":       avS(p.name),
			})
		}
		it := Item{
			"customer_id": avS(customerID(ci)),
			"order_id":    avS(fmt.Sprintf("O-%06d", i+1)),
			"status":      avS(status),
			"created_at":  avS(at.Format(time.RFC3339)),
			"currency":    avS(pick(r, []string{"USD", "USD", "EUR", "GBP", "JPY"})),
			"items":       avL(lines...),
			"item_skus":   avNSInts(skus...),
		}
		if chance(r, 0.25) {
			d := int64(50 + r.IntN(2000))
			if d > total {
				d = total
			}
			total -= d
			it["discount"] = avN(cents(-d))
		}
		it["total"] = avN(cents(total))
		if status != "PENDING" && status != "CANCELLED" {
			c := pick(r, cities())
			ship := Item{
				"method":  avS(pick(r, shipMethods())),
				"insured": avBool(chance(r, 0.3)),
				"address": avM(Item{"city": avS(c.city), "country": avS(c.country)}),
			}
			if status == "PAID" {
				ship["tracking"] = avNull()
			} else {
				ship["tracking"] = avS(fmt.Sprintf("1Z%010d", r.IntN(1_000_000_000)))
			}
			if chance(r, 0.1) {
				ship["events"] = avL(avL(avS("picked"), avInt(1)), avL(avS("shipped"), avInt(2)), avL())
			}
			it["shipping"] = avM(ship)
		}
		if chance(r, 0.3) {
			it["gift"] = avBool(chance(r, 0.5))
		}
		switch x := r.IntN(10); {
		case x < 2:
			it["coupon"] = avS(pick(r, coupons()))
		case x < 3:
			it["coupon"] = avNull()
		}
		if chance(r, 0.2) {
			n := 1 + r.IntN(2)
			ls := make([]string, n)
			for j := range ls {
				ls[j] = pick(r, orderLabels())
			}
			it["labels"] = avSS(ls...)
		}
		if chance(r, 0.05) {
			it["attachments"] = avBS(randBytes(r, 6), randBytes(r, 10))
		}
		if chance(r, 0.1) {
			it["signature"] = avB(randBytes(r, 32))
		}
		if chance(r, 0.15) {
			it["notes"] = avS(pick(r, notesText()))
		}
		switch status {
		case "RETURNED":
			it["return_reason"] = avS(pick(r, []string{"damaged", "wrong size", "changed my mind", "arrived late — too late"}))
		case "CANCELLED":
			if chance(r, 0.5) {
				it["return_reason"] = avNull()
			}
		}
		items = append(items, it)
	}
	return items
}

// mustCents parses a canonical amount ("12.5") back into hundredths.
func mustCents(s string) int64 {
	ip, fp, _ := strings.Cut(s, ".")
	for len(fp) < 2 {
		fp += "0"
	}
	v, err := strconv.ParseInt(ip+fp, 10, 64)
	if err != nil {
		panic(fmt.Sprintf("demo: bad amount %q", s))
	}
	return v
}
