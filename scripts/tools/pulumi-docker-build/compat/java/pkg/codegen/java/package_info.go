// Package java declares the Java SDK settings type that the docker-build provider writes into
// its schema (see ../../../../README.md).
package java

// PackageInfo is the `language.java` block of a Pulumi package schema.
type PackageInfo struct {
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
}
