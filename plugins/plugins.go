// Package plugins embeds the rule packs shipped with kubectl auth-paths
// (plugins/packs/*.yaml) and their JSON schema.
package plugins

import "embed"

// Packs holds packs/*.yaml.
//
//go:embed packs/*.yaml
var Packs embed.FS

// Schema is the JSON schema of the rule-pack format.
//
//go:embed rulepack.schema.json
var Schema []byte
