package simulator

import (
	"net/http"
	"net/url"
)

// errorBody is Magento's error-response: a message template with %1 or %name placeholders and
// the parameters that fill them, either positional (a JSON array) or named (a JSON object).
type errorBody struct {
	Message    string      `json:"message"`
	Parameters any         `json:"parameters,omitempty"`
	Errors     []errorBody `json:"errors,omitempty"`
}

// writeError writes an error-response. params is nil, a []string (positional, for %1, %2...)
// or a map[string]string (named, for %fieldName).
func writeError(w http.ResponseWriter, status int, message string, params any) {
	writeJSON(w, status, errorBody{Message: message, Parameters: params})
}

// unauthorized writes the 401 Magento answers a request without sufficient rights.
func unauthorized(w http.ResponseWriter, resource string) {
	writeError(w, http.StatusUnauthorized, "The consumer isn't authorized to access %resources.",
		map[string]string{"resources": resource})
}

// notFoundEntity is NoSuchEntityException's default message.
func notFoundEntity(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "The entity that was requested doesn't exist. Verify the entity and try again.", nil)
}

// fieldRequired is InputException::requiredField.
func fieldRequired(w http.ResponseWriter, field string) {
	writeError(w, http.StatusBadRequest, "\"%fieldName\" is required. Enter and try again.", map[string]string{"fieldName": field})
}

// fieldNotSupported is what the service input processor says about an unknown property.
func fieldNotSupported(w http.ResponseWriter, field string) {
	writeError(w, http.StatusBadRequest, "\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": field})
}

// typeInvalid is the service input processor's message for a value of the wrong type.
func typeInvalid(w http.ResponseWriter, value, want string) {
	writeError(w, http.StatusBadRequest, "The \"%1\" value's type is invalid. The \"%2\" type was expected. Verify and try again.", []string{value, want})
}

func unescapePathSegment(s string) (string, error) { return url.PathUnescape(s) }
