// nova-vmware-owner fix 6: keyed property paths.
//
// The vSphere PropertyCollector accepts paths that select one element of
// an array property by its key, e.g. config.extraConfig["nvp.vm-uuid"]
// (nova's list_instances) or config.hardware.device[2000]. vcsim split the
// path at every "." (cutting the quoted key in two) and knew no [...]
// syntax, so such paths came back as InvalidProperty. Patch 0004 makes
// fieldValue use the helpers below.

package simulator

import (
	"reflect"
	"strconv"
	"strings"
)

// splitPropertyPath splits p at the dots that are outside [...] and quotes.
func splitPropertyPath(p string) []string {
	var parts []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			parts = append(parts, p[start:i])
			start = i + 1
		}
	}
	return append(parts, p[start:])
}

// splitPropertyKey splits `name["key"]` or `name[42]` into name and key
// (quotes removed); keyed is false for a plain name.
func splitPropertyKey(segment string) (name, key string, keyed bool) {
	open := strings.IndexByte(segment, '[')
	if open < 0 || !strings.HasSuffix(segment, "]") {
		return segment, "", false
	}
	key = segment[open+1 : len(segment)-1]
	if unquoted, err := strconv.Unquote(key); err == nil {
		key = unquoted
	}
	return segment[:open], key, true
}

// keyedElement returns the element of the array value list whose Key field
// equals key: errMissingField when list is not an array of keyed objects,
// errEmptyField when no element has that key (vCenter then omits the
// property from the result, which is what nova expects).
func keyedElement(list reflect.Value, key string) (reflect.Value, error) {
	if list.Kind() != reflect.Slice {
		return reflect.Value{}, errMissingField
	}
	for i := 0; i < list.Len(); i++ {
		elem := list.Index(i)
		obj := elem
		for obj.Kind() == reflect.Interface || obj.Kind() == reflect.Ptr {
			if obj.IsNil() {
				break
			}
			obj = obj.Elem()
		}
		if obj.Kind() != reflect.Struct {
			return reflect.Value{}, errMissingField
		}
		k := obj.FieldByName("Key")
		switch k.Kind() {
		case reflect.String:
			if k.String() == key {
				return elem, nil
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if strconv.FormatInt(k.Int(), 10) == key {
				return elem, nil
			}
		default:
			return reflect.Value{}, errMissingField
		}
	}
	return reflect.Value{}, errEmptyField
}
