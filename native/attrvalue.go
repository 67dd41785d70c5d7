package native

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// DecodeAttributeValue decodes one AttributeValue in DynamoDB's JSON wire
// shape ({"S": "x"}, {"N": "1"}, {"M": {...}} ...). Exactly one member is
// allowed; a wrong shape is 22023, an unknown member 42601, a malformed
// number 22P02.
func DecodeAttributeValue(raw json.RawMessage) (types.AttributeValue, error) {
	return decodeAV("AttributeValue", raw)
}

// DecodeItem decodes a map of attribute name → AttributeValue (an Item or a
// Key) in DynamoDB's JSON wire shape.
func DecodeItem(raw json.RawMessage) (map[string]types.AttributeValue, error) {
	members, err := objectMembers("Item", raw)
	if err != nil {
		return nil, err
	}
	item := make(map[string]types.AttributeValue, len(members))
	for _, m := range members {
		av, err := decodeAV(mapPath("Item", m.key), m.value)
		if err != nil {
			return nil, err
		}
		item[m.key] = av
	}
	return item, nil
}

// decodeAV decodes one AttributeValue; path names it in errors.
func decodeAV(path string, raw json.RawMessage) (types.AttributeValue, error) {
	members, err := objectMembers(path, raw)
	if err != nil {
		return nil, err
	}
	if len(members) != 1 {
		return nil, pgerr.New(pgerr.InvalidParameterValue,
			"%s must be an AttributeValue with exactly one member (S, N, B, BOOL, NULL, M, L, SS, NS or BS), got %d", path, len(members))
	}
	kind, val := members[0].key, members[0].value
	p := path + "." + kind
	switch kind {
	case "S":
		s, err := decodeString(p, val)
		return &types.AttributeValueMemberS{Value: s}, err
	case "N":
		n, err := decodeNumberText(p, val)
		return &types.AttributeValueMemberN{Value: n}, err
	case "B":
		b, err := decodeBinary(p, val)
		return &types.AttributeValueMemberB{Value: b}, err
	case "BOOL":
		b, err := decodeBool(p, val)
		return &types.AttributeValueMemberBOOL{Value: b}, err
	case "NULL":
		return decodeNull(p, val)
	case "M":
		return decodeMapAV(p, val)
	case "L":
		return decodeListAV(p, val)
	case "SS":
		ss, err := decodeArray(p, val, decodeString)
		return &types.AttributeValueMemberSS{Value: ss}, err
	case "NS":
		ns, err := decodeArray(p, val, decodeNumberText)
		return &types.AttributeValueMemberNS{Value: ns}, err
	case "BS":
		bs, err := decodeArray(p, val, decodeBinary)
		return &types.AttributeValueMemberBS{Value: bs}, err
	}
	return nil, pgerr.New(pgerr.SyntaxError, "unknown AttributeValue member %q in %s", kind, path).
		WithHint("an AttributeValue has one of S, N, B, BOOL, NULL, M, L, SS, NS, BS")
}

func decodeNull(path string, raw json.RawMessage) (types.AttributeValue, error) {
	b, err := decodeBool(path, raw)
	if err != nil {
		return nil, err
	}
	if !b {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "%s must be true", path)
	}
	return &types.AttributeValueMemberNULL{Value: true}, nil
}

func decodeMapAV(path string, raw json.RawMessage) (types.AttributeValue, error) {
	members, err := objectMembers(path, raw)
	if err != nil {
		return nil, err
	}
	m := make(map[string]types.AttributeValue, len(members))
	for _, mem := range members {
		av, err := decodeAV(mapPath(path, mem.key), mem.value)
		if err != nil {
			return nil, err
		}
		m[mem.key] = av
	}
	return &types.AttributeValueMemberM{Value: m}, nil
}

func decodeListAV(path string, raw json.RawMessage) (types.AttributeValue, error) {
	l, err := decodeArray(path, raw, decodeAV)
	return &types.AttributeValueMemberL{Value: l}, err
}

// decodeNumberText checks that a DynamoDB number is a number: DynamoDB would
// refuse it too, but later, after the request was classified and sent.
func decodeNumberText(path string, raw json.RawMessage) (string, error) {
	s, err := decodeString(path, raw)
	if err != nil {
		return "", err
	}
	if _, err := sqltypes.ParseNumeric(s); err != nil {
		return "", pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "%s: invalid DynamoDB number %q", path, s)
	}
	return s, nil
}

func decodeBinary(path string, raw json.RawMessage) ([]byte, error) {
	s, err := decodeString(path, raw)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.InvalidParameterValue, "%s must be base64", path)
	}
	return b, nil
}

// EncodeAttributeValue is DecodeAttributeValue's inverse: av in DynamoDB's
// JSON wire shape, map keys sorted so the text is stable.
func EncodeAttributeValue(av types.AttributeValue) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := encodeAV(&b, av); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// EncodeItem encodes an item or key in DynamoDB's JSON wire shape.
func EncodeItem(item map[string]types.AttributeValue) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := encodeAVMap(&b, item); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func encodeAV(b *bytes.Buffer, av types.AttributeValue) error {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return encodeMember(b, "S", x.Value)
	case *types.AttributeValueMemberN:
		return encodeMember(b, "N", x.Value)
	case *types.AttributeValueMemberB:
		return encodeMember(b, "B", x.Value) // []byte marshals as base64
	case *types.AttributeValueMemberBOOL:
		return encodeMember(b, "BOOL", x.Value)
	case *types.AttributeValueMemberNULL:
		return encodeMember(b, "NULL", true)
	case *types.AttributeValueMemberSS:
		return encodeMember(b, "SS", nonNil(x.Value))
	case *types.AttributeValueMemberNS:
		return encodeMember(b, "NS", nonNil(x.Value))
	case *types.AttributeValueMemberBS:
		return encodeMember(b, "BS", nonNil(x.Value))
	case *types.AttributeValueMemberM:
		b.WriteString(`{"M":`)
		if err := encodeAVMap(b, x.Value); err != nil {
			return err
		}
		b.WriteByte('}')
		return nil
	case *types.AttributeValueMemberL:
		b.WriteString(`{"L":[`)
		for i, v := range x.Value {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeAV(b, v); err != nil {
				return err
			}
		}
		b.WriteString("]}")
		return nil
	}
	return pgerr.New(pgerr.InternalError, "cannot encode DynamoDB attribute value %T", av)
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func encodeMember(b *bytes.Buffer, kind string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return pgerr.Wrap(err, pgerr.InternalError, "encoding a %s attribute value", kind)
	}
	b.WriteString(`{"` + kind + `":`)
	b.Write(data)
	b.WriteByte('}')
	return nil
}

func encodeAVMap(b *bytes.Buffer, m map[string]types.AttributeValue) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		sqltypes.WriteJSONString(b, k)
		b.WriteByte(':')
		if err := encodeAV(b, m[k]); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}
