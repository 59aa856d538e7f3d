package outbound

import (
	"encoding/base64"
	"strings"
)

// validateBasic checks basic's user-id and password (RFC 7617 §2): no
// control characters, UTF-8 (the charset billgate declares), and no colon
// in the user-id, where it would end the user-id early.
func (a Auth) validateBasic() []error {
	var errs []error
	if err := requiredText("user", a.User); err != nil {
		errs = append(errs, err)
	} else if strings.Contains(a.User, ":") {
		errs = append(errs, fieldError("user", "holds a colon, which ends a Basic user-id (RFC 7617 §2)"))
	}
	if err := requiredText("secret", string(a.Secret)); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// requiredText is the error of a field that is empty or unfit for a
// header value carrying UTF-8 text, or nil.
func requiredText(field, value string) error {
	if err := required(field, value); err != nil {
		return err
	}
	if problem := textProblem(value); problem != "" {
		return fieldError(field, "%s", problem)
	}
	return nil
}

// basicAuthorization is "Basic " and the base64 of "user:password"
// (RFC 7617 §2).
func (a Auth) basicAuthorization() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.User+":"+string(a.Secret)))
}
