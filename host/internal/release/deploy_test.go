package release

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/gocty"
	"go.yaml.in/yaml/v4"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/koppel-nl/koppel/host/internal/config"
)

// The deployment examples are validated against the orchestrators' own types: every Kubernetes
// document is decoded strictly (an unknown or misspelt field fails) into the k8s.io/api type of
// its kind; the Nomad job is decoded against the job specification's block and attribute names
// (an unknown one fails). Both must also hold profiles koppel loads, split over shards so that
// every profile runs in exactly one.

// loadProfiles writes files into a directory and loads them with koppel's loader, with every
// env() variable set.
func loadProfiles(t *testing.T, files map[string]string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := config.Load(dir, config.LoadOptions{Env: func(string) (string, bool) { return "x-value-long-enough-123", true }})
	if diags.HasErrors() {
		t.Fatalf("the example's profiles do not load: %v", diags)
	}
	return cfg
}

// checkShards requires every profile to match exactly one shard's glob.
func checkShards(t *testing.T, cfg *config.Config, globs []string) {
	t.Helper()
	if len(cfg.Profiles) < 2 || len(globs) < 2 {
		t.Fatalf("want at least two profiles over two shards, have %d profiles, globs %q", len(cfg.Profiles), globs)
	}
	for _, p := range cfg.Profiles {
		n := 0
		for _, g := range globs {
			if ok, err := path.Match(g, p.Name); err != nil {
				t.Fatalf("glob %q: %v", g, err)
			} else if ok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("profile %s matches %d shards' globs %q, want exactly one", p.Name, n, globs)
		}
	}
}

func argAfter(args []string, flag string) string {
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		return ""
	}
	return args[i+1]
}

func TestKubernetesExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "examples/deploy/kubernetes/koppel.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var (
		sets    []appsv1.StatefulSet
		secrets = map[string]corev1.Secret{}
		cms     = map[string]corev1.ConfigMap{}
		svcs    int
	)
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		kind, _ := doc["kind"].(string)
		strict := func(v any) {
			if err := sigsyaml.UnmarshalStrict(b, v); err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
		}
		switch kind {
		case "StatefulSet":
			var s appsv1.StatefulSet
			strict(&s)
			sets = append(sets, s)
		case "Secret":
			var s corev1.Secret
			strict(&s)
			secrets[s.Name] = s
		case "ConfigMap":
			var c corev1.ConfigMap
			strict(&c)
			cms[c.Name] = c
		case "Service":
			var s corev1.Service
			strict(&s)
			svcs++
		default:
			t.Fatalf("unexpected kind %q", kind)
		}
	}
	if len(sets) < 2 || svcs != 1 {
		t.Fatalf("%d StatefulSets and %d Services; want one per shard and one Service", len(sets), svcs)
	}
	var globs []string
	var profiles map[string]string
	for _, s := range sets {
		if s.Spec.Replicas == nil || *s.Spec.Replicas != 1 {
			t.Errorf("%s: replicas must be 1 (one writer per state store)", s.Name)
		}
		c := s.Spec.Template.Spec.Containers[0]
		glob := argAfter(c.Args, "--profiles")
		if c.Args[0] != "run" || glob == "" {
			t.Errorf("%s: args %q, want run ... --profiles GLOB", s.Name, c.Args)
		}
		globs = append(globs, glob)
		for name, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Scheme != corev1.URISchemeHTTPS {
				t.Errorf("%s: %s probe is not GET https://.../healthz (koppel speaks HTTPS off loopback)", s.Name, name)
			}
		}
		if len(s.Spec.VolumeClaimTemplates) != 1 || !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
			return m.Name == s.Spec.VolumeClaimTemplates[0].Name && m.MountPath == "/var/lib/koppel"
		}) {
			t.Errorf("%s: the state is not a PVC mounted on /var/lib/koppel", s.Name)
		}
		if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef == nil {
			t.Errorf("%s: keys do not come from a Secret", s.Name)
		} else if _, ok := secrets[c.EnvFrom[0].SecretRef.Name]; !ok {
			t.Errorf("%s: Secret %s is not in the file", s.Name, c.EnvFrom[0].SecretRef.Name)
		}
		sc := s.Spec.Template.Spec.SecurityContext
		if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("%s: runAsNonRoot is not set", s.Name)
		}
		for _, v := range s.Spec.Template.Spec.Volumes {
			if v.ConfigMap != nil {
				cm, ok := cms[v.ConfigMap.Name]
				if !ok {
					t.Fatalf("%s: ConfigMap %s is not in the file", s.Name, v.ConfigMap.Name)
				}
				profiles = cm.Data
			}
		}
	}
	if profiles == nil {
		t.Fatal("no ConfigMap with the profiles is mounted")
	}
	cfg := loadProfiles(t, profiles)
	if cfg.Koppel.StateDir != "/var/lib/koppel" || cfg.Koppel.Listen != "0.0.0.0:8484" {
		t.Errorf("koppel block %+v", cfg.Koppel)
	}
	checkShards(t, cfg, globs)
}

// nomadSchema is the part of Nomad's job specification the example uses, block by block; an
// attribute or block not listed is an error (as `nomad job validate` reports it).
type nomadSchema struct {
	attrs  []string
	blocks map[string]blockSchema
}

type blockSchema struct {
	labels []string
	body   *nomadSchema
}

func (s *nomadSchema) hcl() *hcl.BodySchema {
	out := &hcl.BodySchema{}
	for _, a := range s.attrs {
		out.Attributes = append(out.Attributes, hcl.AttributeSchema{Name: a})
	}
	for name, b := range s.blocks {
		out.Blocks = append(out.Blocks, hcl.BlockHeaderSchema{Type: name, LabelNames: b.labels})
	}
	return out
}

func leaf(attrs ...string) blockSchema { return blockSchema{body: &nomadSchema{attrs: attrs}} }

var nomadJob = &nomadSchema{
	attrs: []string{"type", "datacenters", "region", "namespace", "priority", "node_pool", "all_at_once"},
	blocks: map[string]blockSchema{
		"group": {labels: []string{"name"}, body: &nomadSchema{
			attrs: []string{"count", "shutdown_delay", "stop_after_client_disconnect"},
			blocks: map[string]blockSchema{
				"volume":  {labels: []string{"name"}, body: &nomadSchema{attrs: []string{"type", "source", "read_only", "access_mode", "attachment_mode", "per_alloc"}}},
				"network": {body: &nomadSchema{attrs: []string{"mode", "hostname"}, blocks: map[string]blockSchema{"port": {labels: []string{"label"}, body: &nomadSchema{attrs: []string{"static", "to", "host_network"}}}}}},
				"service": {body: &nomadSchema{attrs: []string{"name", "port", "provider", "tags", "address_mode"},
					blocks: map[string]blockSchema{"check": leaf("type", "path", "interval", "timeout", "port", "method", "protocol", "tls_skip_verify")}}},
				"restart": leaf("attempts", "interval", "delay", "mode", "render_templates"),
				"task": {labels: []string{"name"}, body: &nomadSchema{
					attrs: []string{"driver", "kill_timeout", "kill_signal", "user", "leader", "env"},
					blocks: map[string]blockSchema{
						"config":       {body: &nomadSchema{attrs: []string{"image", "ports", "args", "command", "entrypoint", "volumes", "mount"}}},
						"volume_mount": leaf("volume", "destination", "read_only", "propagation_mode"),
						"template":     leaf("destination", "data", "env", "change_mode", "change_signal", "perms", "source", "splay"),
						"resources":    leaf("cpu", "cores", "memory", "memory_max"),
					}}},
			}}},
	},
}

// decodeNomad checks body against s and returns the blocks it holds, by type.
func decodeNomad(t *testing.T, body hcl.Body, s *nomadSchema, where string) (*hcl.BodyContent, map[string][]*hcl.Block) {
	t.Helper()
	content, diags := body.Content(s.hcl())
	if diags.HasErrors() {
		t.Fatalf("%s: %v", where, diags)
	}
	byType := map[string][]*hcl.Block{}
	for _, b := range content.Blocks {
		byType[b.Type] = append(byType[b.Type], b)
		decodeNomad(t, b.Body, s.blocks[b.Type].body, where+"."+b.Type)
	}
	return content, byType
}

func TestNomadExample(t *testing.T) {
	p := hclparse.NewParser()
	f, diags := p.ParseHCLFile(filepath.Join(repoRoot(t), "examples/deploy/nomad/koppel.nomad.hcl"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	top, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}}, {Type: "job", LabelNames: []string{"name"}}}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	// Variables: their defaults, as `nomad job run` without -var uses them.
	vars := map[string]cty.Value{}
	var job *hcl.Block
	for _, b := range top.Blocks {
		if b.Type == "job" {
			job = b
			continue
		}
		attrs, diags := b.Body.JustAttributes()
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		def, ok := attrs["default"]
		if !ok {
			t.Fatalf("variable %s has no default", b.Labels[0])
		}
		v, diags := def.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		vars[b.Labels[0]] = v
	}
	if job == nil {
		t.Fatal("no job block")
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)}}
	_, groups := decodeNomad(t, dynblock.Expand(job.Body, ctx), nomadJob, "job")
	if len(groups["group"]) < 2 {
		t.Fatalf("%d groups, want one per shard", len(groups["group"]))
	}
	var globs []string
	var profiles map[string]string
	for _, g := range groups["group"] {
		gc, gb := decodeNomad(t, g.Body, nomadJob.blocks["group"].body, "group")
		var count int
		if a, ok := gc.Attributes["count"]; ok {
			v, _ := a.Expr.Value(ctx)
			_ = gocty.FromCtyValue(v, &count)
		}
		if count != 1 {
			t.Errorf("group %s: count %d, want 1 (one writer per state store)", g.Labels[0], count)
		}
		if len(gb["volume"]) != 1 {
			t.Errorf("group %s: no state volume", g.Labels[0])
		}
		_, sb := decodeNomad(t, gb["service"][0].Body, nomadJob.blocks["group"].body.blocks["service"].body, "service")
		cattrs, _ := sb["check"][0].Body.JustAttributes()
		if v, _ := cattrs["path"].Expr.Value(ctx); v.AsString() != "/healthz" {
			t.Errorf("group %s: the check is not /healthz", g.Labels[0])
		}
		task := gb["task"][0]
		_, tb := decodeNomad(t, task.Body, nomadJob.blocks["group"].body.blocks["task"].body, "task")
		cfgAttrs, _ := tb["config"][0].Body.JustAttributes()
		argsV, d := cfgAttrs["args"].Expr.Value(&hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(vars),
			"group": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(strings.TrimPrefix(g.Labels[0], "shard-")),
				"value": vars["shards"].GetAttr(strings.TrimPrefix(g.Labels[0], "shard-"))})}})
		if d.HasErrors() {
			t.Fatal(d)
		}
		var args []string
		for _, a := range argsV.AsValueSlice() {
			args = append(args, a.AsString())
		}
		glob := argAfter(args, "--profiles")
		if args[0] != "run" || glob == "" {
			t.Errorf("group %s: args %q, want run ... --profiles GLOB", g.Labels[0], args)
		}
		globs = append(globs, glob)
		vm, _ := tb["volume_mount"][0].Body.JustAttributes()
		if v, _ := vm["destination"].Expr.Value(ctx); v.AsString() != "/var/lib/koppel" {
			t.Errorf("group %s: the state volume is not on /var/lib/koppel", g.Labels[0])
		}
		profiles = map[string]string{}
		for _, tpl := range tb["template"] {
			ta, _ := tpl.Body.JustAttributes()
			dest, _ := ta["destination"].Expr.Value(ctx)
			if !strings.HasPrefix(dest.AsString(), "local/koppel/") {
				continue
			}
			data, d := ta["data"].Expr.Value(ctx)
			if d.HasErrors() {
				t.Fatal(d)
			}
			profiles[path.Base(dest.AsString())] = data.AsString()
		}
	}
	cfg := loadProfiles(t, profiles)
	if cfg.Koppel.StateDir != "/var/lib/koppel" {
		t.Errorf("koppel block %+v", cfg.Koppel)
	}
	checkShards(t, cfg, globs)
}
