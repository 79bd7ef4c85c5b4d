// Package codegen declares the .NET SDK settings type that the docker-build provider writes
// into its schema (see ../../README.md).
package codegen

// CSharpPackageInfo is the `language.csharp` block of a Pulumi package schema.
type CSharpPackageInfo struct {
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
}
