package native

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// The SDK's Go field names are DynamoDB's member names, so the input structs
// themselves are the schema: decodeShape walks them by reflection, matching
// keys exactly (encoding/json would match case-insensitively and cannot
// decode the AttributeValue union).
var (
	attributeValueType = reflect.TypeFor[types.AttributeValue]()
	timeType           = reflect.TypeFor[time.Time]()
)

// decodeShape decodes raw into v (settable) following v's Go type. JSON null
// leaves a member unset, except where an AttributeValue is due: a nil one
// inside an item is not a value DynamoDB (or the SDK) can take.
func decodeShape(path string, raw json.RawMessage, v reflect.Value) error {
	t := v.Type()
	if jsonKind(raw) == "null" && t != attributeValueType {
		return nil
	}
	switch {
	case t == attributeValueType:
		av, err := decodeAV(path, raw)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(av))
		return nil
	case t == timeType:
		f, err := decodeFloat(path, raw)
		if err != nil {
			return err
		}
		sec, frac := math.Modf(f)
		v.Set(reflect.ValueOf(time.Unix(int64(sec), int64(frac*1e9)).UTC()))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := reflect.New(t.Elem())
		if err := decodeShape(path, raw, elem.Elem()); err != nil {
			return err
		}
		v.Set(elem)
		return nil
	case reflect.String:
		return decodeEnum(path, raw, v)
	case reflect.Bool:
		b, err := decodeBool(path, raw)
		v.SetBool(b)
		return err
	case reflect.Int32, reflect.Int64, reflect.Int:
		n, err := decodeInt(path, raw, t.Bits())
		v.SetInt(n)
		return err
	case reflect.Float64, reflect.Float32:
		f, err := decodeFloat(path, raw)
		v.SetFloat(f)
		return err
	case reflect.Slice:
		return decodeSlice(path, raw, v)
	case reflect.Map:
		return decodeMap(path, raw, v)
	case reflect.Struct:
		return decodeStruct(path, raw, v)
	}
	return pgerr.New(pgerr.FeatureNotSupported, "%s: members of Go type %s are not supported in verb requests", path, t)
}

// decodeEnum decodes a string; for the SDK's enum types (which list their
// values) an unknown value is refused before it reaches DynamoDB.
func decodeEnum(path string, raw json.RawMessage, v reflect.Value) error {
	s, err := decodeString(path, raw)
	if err != nil {
		return err
	}
	v.SetString(s)
	values := v.MethodByName("Values")
	if !values.IsValid() || values.Type().NumIn() != 0 || values.Type().NumOut() != 1 {
		return nil
	}
	list := values.Call(nil)[0]
	allowed := make([]string, list.Len())
	for i := range allowed {
		if allowed[i] = list.Index(i).String(); allowed[i] == s {
			return nil
		}
	}
	return pgerr.New(pgerr.InvalidParameterValue, "%s: invalid value %q", path, s).
		WithHint("valid values are %v", allowed)
}

func decodeSlice(path string, raw json.RawMessage, v reflect.Value) error {
	if v.Type().Elem().Kind() == reflect.Uint8 {
		b, err := decodeBinary(path, raw)
		v.SetBytes(b)
		return err
	}
	elems, err := arrayElements(path, raw)
	if err != nil {
		return err
	}
	s := reflect.MakeSlice(v.Type(), len(elems), len(elems))
	for i, e := range elems {
		if err := decodeShape(indexPath(path, i), e, s.Index(i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func decodeMap(path string, raw json.RawMessage, v reflect.Value) error {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		return pgerr.New(pgerr.FeatureNotSupported, "%s: map keys of Go type %s are not supported", path, t.Key())
	}
	members, err := objectMembers(path, raw)
	if err != nil {
		return err
	}
	m := reflect.MakeMapWithSize(t, len(members))
	for _, mem := range members {
		elem := reflect.New(t.Elem()).Elem()
		if err := decodeShape(mapPath(path, mem.key), mem.value, elem); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(mem.key).Convert(t.Key()), elem)
	}
	v.Set(m)
	return nil
}

// decodeStruct matches each key to an exported field of exactly that name;
// any other key is refused, naming it and where it was.
func decodeStruct(path string, raw json.RawMessage, v reflect.Value) error {
	members, err := objectMembers(path, raw)
	if err != nil {
		return err
	}
	for _, mem := range members {
		f, ok := v.Type().FieldByName(mem.key)
		if !ok || !f.IsExported() || len(f.Index) != 1 {
			return unknownKey(path, mem.key, v.Type())
		}
		if err := decodeShape(fieldPath(path, mem.key), mem.value, v.Field(f.Index[0])); err != nil {
			return err
		}
	}
	return nil
}

func unknownKey(path, key string, t reflect.Type) error {
	where := path
	if where == "" {
		where = "the request"
	}
	return pgerr.New(pgerr.SyntaxError, "unknown key %q in %s", key, where).
		WithHint("valid keys are %v", fieldNames(t))
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if f.IsExported() {
			names = append(names, f.Name)
		}
	}
	return names
}

func fieldPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// encodeShape is decodeShape's inverse for SDK output structs (a
// TableDescription, ConsumedCapacity): DynamoDB's JSON wire shape with unset
// members left out, timestamps as epoch seconds, map keys sorted.
func encodeShape(v reflect.Value) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := writeShape(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeShape(b *bytes.Buffer, v reflect.Value) error {
	t := v.Type()
	switch {
	case t == attributeValueType:
		return encodeAV(b, v.Interface().(types.AttributeValue))
	case t == timeType:
		tm := v.Interface().(time.Time)
		b.WriteString(strconv.FormatFloat(float64(tm.UnixNano())/1e9, 'f', -1, 64))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		return writeShape(b, v.Elem())
	case reflect.String:
		sqltypes.WriteJSONString(b, v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Slice:
		return writeSlice(b, v)
	case reflect.Map:
		return writeMap(b, v)
	case reflect.Struct:
		return writeStruct(b, v)
	default:
		return pgerr.New(pgerr.InternalError, "cannot encode Go type %s as JSON", t)
	}
	return nil
}

func writeSlice(b *bytes.Buffer, v reflect.Value) error {
	if v.Type().Elem().Kind() == reflect.Uint8 {
		data, err := json.Marshal(v.Bytes())
		b.Write(data)
		return err
	}
	b.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeShape(b, v.Index(i)); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

func writeMap(b *bytes.Buffer, v reflect.Value) error {
	keys := make([]string, 0, v.Len())
	for _, k := range v.MapKeys() {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		sqltypes.WriteJSONString(b, k)
		b.WriteByte(':')
		if err := writeShape(b, v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key()))); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

func writeStruct(b *bytes.Buffer, v reflect.Value) error {
	b.WriteByte('{')
	n := 0
	for i := range v.NumField() {
		f := v.Type().Field(i)
		fv := v.Field(i)
		if !f.IsExported() || unset(fv) {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		sqltypes.WriteJSONString(b, f.Name)
		b.WriteByte(':')
		if err := writeShape(b, fv); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// unset reports whether a member was not given: nil, empty, or an enum's "".
func unset(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.String:
		return v.String() == ""
	case reflect.Struct:
		return v.Type() == timeType && v.Interface().(time.Time).IsZero()
	}
	return false
}
