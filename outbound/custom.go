package outbound

import (
	"strings"

	"golang.org/x/net/http/httpguts"
)

// reservedSchemes are the schemes custom may not pose as: the other ESPF
// schemes, which receivers parse as such.
var reservedSchemes = []string{"Basic", "Bearer", "Signature"}

// validateCustom checks custom's scheme name, an RFC 7230 token (RFC 7235
// §2.1's auth-scheme) other than the reserved ones, and its credentials:
// printable ASCII, without spaces at either end.
func (a Auth) validateCustom() []error {
	var errs []error
	if err := required("name", a.Name); err != nil {
		errs = append(errs, err)
	} else if !httpguts.ValidHeaderFieldName(a.Name) {
		errs = append(errs, fieldError("name", "%q is not an RFC 7230 token", a.Name))
	} else if reserved := reservedScheme(a.Name); reserved != "" {
		errs = append(errs, fieldError("name", "%q is the %s scheme; use scheme %s", a.Name, reserved, strings.ToLower(reserved)))
	}
	if err := required("secret", string(a.Secret)); err != nil {
		errs = append(errs, err)
	} else if !isPrintableASCII(string(a.Secret)) {
		errs = append(errs, fieldError("secret", "holds a character that is not printable ASCII"))
	} else if strings.TrimSpace(string(a.Secret)) != string(a.Secret) {
		errs = append(errs, fieldError("secret", "begins or ends with a space"))
	}
	return errs
}

// reservedScheme is the reserved scheme name matches, compared without
// regard to case (RFC 7235 §2.1), or "".
func reservedScheme(name string) string {
	for _, reserved := range reservedSchemes {
		if strings.EqualFold(name, reserved) {
			return reserved
		}
	}
	return ""
}

// customAuthorization is "<name> <credentials>", as in "Plain passexample".
func (a Auth) customAuthorization() string {
	return a.Name + " " + string(a.Secret)
}
