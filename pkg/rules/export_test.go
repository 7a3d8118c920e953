package rules

// ValidateSchema is validateSchema for the external tests.
var ValidateSchema = validateSchema
