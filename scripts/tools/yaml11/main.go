// Command yaml11 reads multi-document YAML on standard input the way kubectl apply reads a
// manifest file: the Kubernetes document splitter, then sigs.k8s.io/yaml (go-yaml v2,
// YAML 1.1 scalars) to JSON. It prints one line per document: the JSON, or
// {"error": "..."} when the document does not parse. The goship e2e suite reads goship's
// YAML through it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "yaml11: %v\n", err)
			os.Exit(1)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			e, _ := json.Marshal(map[string]string{"error": err.Error()})
			j = e
		}
		out.Write(j)
		out.WriteString("\n")
	}
}
