package deploy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/sealed"
)

// Paths are relative to this package directory, where `go test` runs.
const (
	k8sDir           = "k8s"
	composePath      = "../docker-compose.yml"
	dockerfilePath   = "Dockerfile"
	dynamicConfigDir = "temporal/dynamicconfig"

	imageRepo    = "ghcr.io/billgate/billgate"
	dbEnv        = "BILLGATE_DB"
	queuesEnv    = "BILLGATE_QUEUES"
	dbSecretName = "billgate-db"
	dbSecretKey  = "url"
	healthPath   = "/healthz"
	readyPath    = "/readyz"
)

// taskQueues are the values of `billgate worker --queues` that have work,
// each mapped to the Temporal task queue billgate-<name>. The events queue
// gets a worker when event deliveries run on it: until then worker.Start
// refuses it alone.
var taskQueues = []string{"subscriptions", "payments", "events"}

// searchAttributes must be registered in Temporal before workers run.
var searchAttributes = []struct{ name, typ string }{
	{"BillgateTenantId", "Keyword"},
	{"BillgateCustomerId", "Keyword"},
	{"BillgateStatus", "Keyword"},
	{"BillgateNextBillingAt", "Datetime"},
}

// ---------------------------------------------------------------- k8s model

type header struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
}

type document struct {
	header
	file  string
	index int
	node  *yaml.Node
}

func (d document) id() string {
	return fmt.Sprintf("%s/%s/%s", d.file, d.Kind, d.Metadata.Name)
}

type workload struct { // Deployment or Job
	Spec struct {
		Replicas *int32 `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	RestartPolicy   string           `yaml:"restartPolicy"`
	SecurityContext *securityContext `yaml:"securityContext"`
	InitContainers  []container      `yaml:"initContainers"`
	Containers      []container      `yaml:"containers"`
	Volumes         []volume         `yaml:"volumes"`
}

type volume struct {
	Name   string `yaml:"name"`
	Secret *struct {
		SecretName string `yaml:"secretName"`
	} `yaml:"secret"`
}

type volumeMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
}

func (p podSpec) allContainers() []container {
	return append(slices.Clone(p.InitContainers), p.Containers...)
}

type container struct {
	Name            string           `yaml:"name"`
	Image           string           `yaml:"image"`
	Command         []string         `yaml:"command"`
	Args            []string         `yaml:"args"`
	Env             []envVar         `yaml:"env"`
	EnvFrom         []envFromSource  `yaml:"envFrom"`
	Ports           []containerPort  `yaml:"ports"`
	Resources       resources        `yaml:"resources"`
	LivenessProbe   *probe           `yaml:"livenessProbe"`
	ReadinessProbe  *probe           `yaml:"readinessProbe"`
	StartupProbe    *probe           `yaml:"startupProbe"`
	SecurityContext *securityContext `yaml:"securityContext"`
	VolumeMounts    []volumeMount    `yaml:"volumeMounts"`
}

type envVar struct {
	Name      string  `yaml:"name"`
	Value     *string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef    *keyRef `yaml:"secretKeyRef"`
		ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef"`
	} `yaml:"valueFrom"`
}

type keyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type envFromSource struct {
	ConfigMapRef *struct {
		Name string `yaml:"name"`
	} `yaml:"configMapRef"`
	SecretRef *struct {
		Name string `yaml:"name"`
	} `yaml:"secretRef"`
}

type containerPort struct {
	Name          string `yaml:"name"`
	ContainerPort int    `yaml:"containerPort"`
}

type resources struct {
	Requests map[string]string `yaml:"requests"`
	Limits   map[string]string `yaml:"limits"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type securityContext struct {
	RunAsNonRoot             *bool  `yaml:"runAsNonRoot"`
	RunAsUser                *int64 `yaml:"runAsUser"`
	ReadOnlyRootFilesystem   *bool  `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool  `yaml:"allowPrivilegeEscalation"`
	Privileged               *bool  `yaml:"privileged"`
}

type hpa struct {
	Spec struct {
		ScaleTargetRef struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Name       string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicas *int32 `yaml:"minReplicas"`
		MaxReplicas int32  `yaml:"maxReplicas"`
		Metrics     []any  `yaml:"metrics"`
	} `yaml:"spec"`
}

type service struct {
	Spec struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort any    `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

type configMap struct {
	Data map[string]string `yaml:"data"`
}

// manifests is every document under deploy/k8s, decoded once per test.
type manifests struct {
	docs []document
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	var files []string
	err := filepath.WalkDir(k8sDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: got %v, want nil", k8sDir, err)
	}
	if len(files) == 0 {
		t.Fatalf("YAML files under %s: got 0, want at least 1", k8sDir)
	}
	var m manifests
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatalf("open %s: got %v, want nil", f, err)
		}
		dec := yaml.NewDecoder(fh)
		for i := 0; ; i++ {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fh.Close()
				t.Fatalf("decode %s document %d: got %v, want nil", f, i, err)
			}
			if isEmptyDocument(&n) {
				continue
			}
			d := document{file: filepath.ToSlash(strings.TrimPrefix(f, k8sDir+string(filepath.Separator))), index: i, node: &n}
			if err := n.Decode(&d.header); err != nil {
				fh.Close()
				t.Fatalf("decode header of %s document %d: got %v, want nil", f, i, err)
			}
			m.docs = append(m.docs, d)
		}
		fh.Close()
	}
	return m
}

func isEmptyDocument(n *yaml.Node) bool {
	if n.Kind == 0 || len(n.Content) == 0 {
		return true
	}
	c := n.Content[0]
	return c.Kind == yaml.ScalarNode && c.Tag == "!!null"
}

func (m manifests) ofKind(kind string) []document {
	var out []document
	for _, d := range m.docs {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

func decodeAs[T any](t *testing.T, d document) T {
	t.Helper()
	var v T
	if err := d.node.Decode(&v); err != nil {
		t.Fatalf("decode %s: got %v, want nil", d.id(), err)
	}
	return v
}

// workloads returns the Deployments and Jobs with their decoded specs.
func (m manifests) workloads(t *testing.T, kind string) map[string]workload {
	t.Helper()
	out := map[string]workload{}
	for _, d := range m.ofKind(kind) {
		out[d.Metadata.Name] = decodeAs[workload](t, d)
	}
	return out
}

func (m manifests) hpas(t *testing.T) []hpa {
	t.Helper()
	var out []hpa
	for _, d := range m.ofKind("HorizontalPodAutoscaler") {
		out = append(out, decodeAs[hpa](t, d))
	}
	return out
}

// hpaTargeting returns how many HPAs scale the named Deployment.
func hpaTargeting(hs []hpa, deployment string) int {
	n := 0
	for _, h := range hs {
		ref := h.Spec.ScaleTargetRef
		if ref.Kind == "Deployment" && ref.Name == deployment {
			n++
		}
	}
	return n
}

// argv is the billgate command line after the entrypoint: ["worker", "--queues", "payments"].
func argv(c container) []string {
	a := append(slices.Clone(c.Command), c.Args...)
	if len(a) > 0 && path.Base(a[0]) == "billgate" {
		a = a[1:]
	}
	return a
}

func subcommand(c container) string {
	a := argv(c)
	if len(a) == 0 {
		return ""
	}
	return a[0]
}

// queues returns the --queues flag, or BILLGATE_QUEUES, split on commas.
func queues(c container) []string {
	raw := ""
	a := argv(c)
	for i, s := range a {
		if s == "--queues" && i+1 < len(a) {
			raw = a[i+1]
		}
		if v, ok := strings.CutPrefix(s, "--queues="); ok {
			raw = v
		}
	}
	if raw == "" {
		for _, e := range c.Env {
			if e.Name == queuesEnv && e.Value != nil {
				raw = *e.Value
			}
		}
	}
	var out []string
	for _, q := range strings.Split(raw, ",") {
		if q = strings.TrimSpace(q); q != "" {
			out = append(out, q)
		}
	}
	return out
}

// mainContainer returns the container running the billgate subcommand.
func mainContainer(w workload) (container, bool) {
	for _, c := range w.Spec.Template.Spec.Containers {
		if c.Image == imageRepo || strings.HasPrefix(c.Image, imageRepo+":") || strings.HasPrefix(c.Image, imageRepo+"@") {
			return c, true
		}
	}
	return container{}, false
}

func subsetOf(sub, super map[string]string) bool {
	for k, v := range sub {
		if super[k] != v {
			return false
		}
	}
	return true
}

// ------------------------------------------------------------ container checks

type containerCheck struct {
	name  string
	check func(p podSpec, c container) error
}

func checkImage(_ podSpec, c container) error {
	repo, tag, ok := strings.Cut(c.Image, ":")
	if strings.Contains(c.Image, "@sha256:") {
		return nil // a digest is pinned too
	}
	if !ok || repo != imageRepo || tag == "" || tag == "latest" {
		return fmt.Errorf("image: got %q, want %s:<pinned tag, not latest>", c.Image, imageRepo)
	}
	return nil
}

func checkResources(_ podSpec, c container) error {
	var missing []string
	for _, part := range []struct {
		name string
		m    map[string]string
	}{{"requests", c.Resources.Requests}, {"limits", c.Resources.Limits}} {
		for _, r := range []string{"cpu", "memory"} {
			if part.m[r] == "" {
				missing = append(missing, part.name+"."+r)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("resources missing: got %v, want none missing", missing)
	}
	return nil
}

func probeCheck(kind, wantPath string, get func(c container) *probe) func(podSpec, container) error {
	return func(_ podSpec, c container) error {
		p := get(c)
		if p == nil || p.HTTPGet == nil {
			return fmt.Errorf("%s httpGet: got none, want path %s", kind, wantPath)
		}
		// A query may narrow the probe, e.g. the API's /readyz?exclude=workers.
		if path, _, _ := strings.Cut(p.HTTPGet.Path, "?"); path != wantPath {
			return fmt.Errorf("%s path: got %q, want %q", kind, p.HTTPGet.Path, wantPath)
		}
		if !portDeclared(c, p.HTTPGet.Port) {
			return fmt.Errorf("%s port: got %v, want one of the container's ports %v", kind, p.HTTPGet.Port, c.Ports)
		}
		return nil
	}
}

func portDeclared(c container, port any) bool {
	for _, p := range c.Ports {
		switch v := port.(type) {
		case int:
			if v == p.ContainerPort {
				return true
			}
		case string:
			if v == p.Name || v == fmt.Sprint(p.ContainerPort) {
				return true
			}
		}
	}
	return false
}

func checkNoProbes(_ podSpec, c container) error {
	if c.LivenessProbe != nil || c.ReadinessProbe != nil || c.StartupProbe != nil {
		return fmt.Errorf("probes: got liveness=%v readiness=%v startup=%v, want none on a Job",
			c.LivenessProbe != nil, c.ReadinessProbe != nil, c.StartupProbe != nil)
	}
	return nil
}

func checkSecurity(p podSpec, c container) error {
	sc := c.SecurityContext
	if sc == nil {
		sc = &securityContext{}
	}
	pod := p.SecurityContext
	if pod == nil {
		pod = &securityContext{}
	}
	isTrue := func(b *bool) bool { return b != nil && *b }
	var errs []error
	if !isTrue(sc.RunAsNonRoot) && !isTrue(pod.RunAsNonRoot) {
		errs = append(errs, fmt.Errorf("runAsNonRoot: got unset or false, want true"))
	}
	// distroless "nonroot" is a user name; runAsNonRoot needs a numeric uid to verify it.
	if sc.RunAsUser == nil && pod.RunAsUser == nil {
		errs = append(errs, fmt.Errorf("runAsUser: got unset, want a numeric non-root uid (65532)"))
	} else if (sc.RunAsUser != nil && *sc.RunAsUser == 0) || (sc.RunAsUser == nil && *pod.RunAsUser == 0) {
		errs = append(errs, fmt.Errorf("runAsUser: got 0, want a non-root uid"))
	}
	if !isTrue(sc.ReadOnlyRootFilesystem) {
		errs = append(errs, fmt.Errorf("readOnlyRootFilesystem: got %v, want true", deref(sc.ReadOnlyRootFilesystem)))
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		errs = append(errs, fmt.Errorf("allowPrivilegeEscalation: got %v, want false", deref(sc.AllowPrivilegeEscalation)))
	}
	if isTrue(sc.Privileged) {
		errs = append(errs, fmt.Errorf("privileged: got true, want false"))
	}
	return errors.Join(errs...)
}

func deref(b *bool) any {
	if b == nil {
		return "unset"
	}
	return *b
}

// checkDatabaseFromSecret: BILLGATE_DB must be present and come from the Secret, never inline.
func checkDatabaseFromSecret(_ podSpec, c container) error {
	for _, e := range c.Env {
		if e.Name != dbEnv {
			continue
		}
		if e.Value != nil {
			return fmt.Errorf("%s: got inline value, want valueFrom.secretKeyRef %s/%s", dbEnv, dbSecretName, dbSecretKey)
		}
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			return fmt.Errorf("%s: got no secretKeyRef, want secretKeyRef %s/%s", dbEnv, dbSecretName, dbSecretKey)
		}
		got := *e.ValueFrom.SecretKeyRef
		want := keyRef{Name: dbSecretName, Key: dbSecretKey}
		if got != want {
			return fmt.Errorf("%s secretKeyRef: got %+v, want %+v", dbEnv, got, want)
		}
		return nil
	}
	return fmt.Errorf("%s: got not set, want secretKeyRef %s/%s", dbEnv, dbSecretName, dbSecretKey)
}

func checkNoInlineConnectionString(_ podSpec, c container) error {
	for _, e := range c.Env {
		if e.Value != nil && strings.Contains(strings.ToLower(*e.Value), "postgres://") {
			return fmt.Errorf("env %s: got inline connection string, want a secretKeyRef", e.Name)
		}
	}
	return nil
}

var (
	commonChecks = []containerCheck{
		{"image", checkImage},
		{"resources", checkResources},
		{"security", checkSecurity},
		{"database-secret", checkDatabaseFromSecret},
		{"no-inline-connection-string", checkNoInlineConnectionString},
	}
	deploymentChecks = append(slices.Clone(commonChecks),
		containerCheck{"liveness", probeCheck("livenessProbe", healthPath, func(c container) *probe { return c.LivenessProbe })},
		containerCheck{"readiness", probeCheck("readinessProbe", readyPath, func(c container) *probe { return c.ReadinessProbe })},
	)
	jobChecks = append(slices.Clone(commonChecks),
		containerCheck{"no-probes", checkNoProbes},
	)
)

func runContainerChecks(t *testing.T, d document, w workload, checks []containerCheck) {
	t.Helper()
	cs := w.Spec.Template.Spec.allContainers()
	if len(cs) == 0 {
		t.Errorf("%s containers: got 0, want at least 1", d.id())
	}
	for _, c := range cs {
		t.Run(c.Name, func(t *testing.T) {
			for _, ck := range checks {
				t.Run(ck.name, func(t *testing.T) {
					if err := ck.check(w.Spec.Template.Spec, c); err != nil {
						t.Error(err)
					}
				})
			}
		})
	}
}

// ----------------------------------------------------------------- k8s tests

func TestManifestIdentity(t *testing.T) {
	m := loadManifests(t)
	seen := map[string]string{}
	for _, d := range m.docs {
		t.Run(fmt.Sprintf("%s#%d", d.file, d.index), func(t *testing.T) {
			for _, f := range []struct{ field, got string }{
				{"apiVersion", d.APIVersion},
				{"kind", d.Kind},
				{"metadata.name", d.Metadata.Name},
			} {
				if f.got == "" {
					t.Errorf("%s: got %q, want non-empty", f.field, f.got)
				}
			}
			if d.Metadata.Namespace != "" {
				t.Errorf("metadata.namespace: got %q, want empty (manifests are namespace-agnostic)", d.Metadata.Namespace)
			}
			if d.Kind == "Secret" {
				t.Errorf("kind: got Secret, want no Secret in the manifests (operators create %s themselves)", dbSecretName)
			}
			key := d.Kind + "/" + d.Metadata.Name
			if prev, dup := seen[key]; dup {
				t.Errorf("%s: got defined in %s and %s, want defined once", key, prev, d.file)
			}
			seen[key] = d.file
		})
	}
}

func TestDeployments(t *testing.T) {
	m := loadManifests(t)
	hs := m.hpas(t)
	docs := m.ofKind("Deployment")
	if len(docs) == 0 {
		t.Fatalf("Deployments: got 0, want at least 1")
	}
	for _, d := range docs {
		w := decodeAs[workload](t, d)
		t.Run(d.id(), func(t *testing.T) {
			sel := w.Spec.Selector.MatchLabels
			if len(sel) == 0 || !subsetOf(sel, w.Spec.Template.Metadata.Labels) {
				t.Errorf("selector.matchLabels: got %v, want a non-empty subset of template labels %v", sel, w.Spec.Template.Metadata.Labels)
			}
			if hpaTargeting(hs, d.Metadata.Name) > 0 && w.Spec.Replicas != nil {
				t.Errorf("spec.replicas: got %d, want unset (an HPA owns the replica count)", *w.Spec.Replicas)
			}
			runContainerChecks(t, d, w, deploymentChecks)
		})
	}
}

func TestMigrateJob(t *testing.T) {
	m := loadManifests(t)
	jobs := m.ofKind("Job")
	var migrate []string
	for _, d := range jobs {
		w := decodeAs[workload](t, d)
		t.Run(d.id(), func(t *testing.T) {
			c, ok := mainContainer(w)
			if !ok {
				t.Fatalf("billgate container: got none, want one with image %s:<tag>", imageRepo)
			}
			if got := subcommand(c); got == "migrate" {
				migrate = append(migrate, d.Metadata.Name)
			} else {
				t.Errorf("subcommand: got %q, want %q", got, "migrate")
			}
			if rp := w.Spec.Template.Spec.RestartPolicy; rp != "Never" && rp != "OnFailure" {
				t.Errorf("restartPolicy: got %q, want Never or OnFailure", rp)
			}
			runContainerChecks(t, d, w, jobChecks)
		})
	}
	if len(migrate) != 1 {
		t.Errorf("Jobs running migrate: got %v, want exactly 1", migrate)
	}
}

func TestWorkerPerQueue(t *testing.T) {
	m := loadManifests(t)
	deps := m.workloads(t, "Deployment")
	hs := m.hpas(t)

	byQueue := map[string][]string{}
	for name, w := range deps {
		c, ok := mainContainer(w)
		if !ok || subcommand(c) != "worker" {
			continue
		}
		// Workers open the payloads the API sealed: the same master keys,
		// from the same Secret.
		if i := slices.IndexFunc(c.Env, func(e envVar) bool { return e.Name == "BILLGATE_MASTER_KEYS" }); i < 0 || c.Env[i].ValueFrom == nil ||
			c.Env[i].ValueFrom.SecretKeyRef == nil || *c.Env[i].ValueFrom.SecretKeyRef != (keyRef{Name: "billgate-keys", Key: "master-keys"}) {
			t.Errorf("%s BILLGATE_MASTER_KEYS: want valueFrom.secretKeyRef billgate-keys/master-keys, as the api's", name)
		}
		qs := queues(c)
		if len(qs) != 1 {
			t.Errorf("%s queues: got %v, want exactly one of %v", name, qs, taskQueues)
		}
		for _, q := range qs {
			if !slices.Contains(taskQueues, q) {
				t.Errorf("%s queue: got %q, want one of %v", name, q, taskQueues)
			}
			byQueue[q] = append(byQueue[q], name)
		}
	}

	for _, q := range taskQueues {
		t.Run(q, func(t *testing.T) {
			names := byQueue[q]
			if len(names) != 1 {
				t.Fatalf("worker Deployments for queue %s: got %v, want exactly 1", q, names)
			}
			if got := hpaTargeting(hs, names[0]); got != 1 {
				t.Errorf("HPAs targeting %s: got %d, want 1", names[0], got)
			}
		})
	}
}

func TestAPI(t *testing.T) {
	m := loadManifests(t)
	deps := m.workloads(t, "Deployment")
	hs := m.hpas(t)

	var apis []string
	for name, w := range deps {
		if c, ok := mainContainer(w); ok && subcommand(c) == "api" {
			apis = append(apis, name)
		}
	}
	if len(apis) != 1 {
		t.Fatalf("api Deployments: got %v, want exactly 1", apis)
	}
	name := apis[0]
	w := deps[name]
	c, _ := mainContainer(w)
	labels := w.Spec.Template.Metadata.Labels

	t.Run(name+"/shared-keys", func(t *testing.T) {
		// Replicas must verify each other's tokens and open each other's
		// sealed secrets: the keys come from one Secret, never per pod.
		for _, want := range []struct{ env, key string }{{"BILLGATE_JWT_KEYS", "jwt-keys"}, {"BILLGATE_MASTER_KEYS", "master-keys"}} {
			i := slices.IndexFunc(c.Env, func(e envVar) bool { return e.Name == want.env })
			if i < 0 || c.Env[i].ValueFrom == nil || c.Env[i].ValueFrom.SecretKeyRef == nil ||
				*c.Env[i].ValueFrom.SecretKeyRef != (keyRef{Name: "billgate-keys", Key: want.key}) {
				t.Errorf("%s: want valueFrom.secretKeyRef billgate-keys/%s", want.env, want.key)
			}
		}
	})
	t.Run(name+"/Service", func(t *testing.T) {
		var matching []string
		for _, d := range m.ofKind("Service") {
			s := decodeAs[service](t, d)
			if len(s.Spec.Selector) == 0 || !subsetOf(s.Spec.Selector, labels) {
				continue
			}
			matching = append(matching, d.Metadata.Name)
			for _, p := range s.Spec.Ports {
				if !portDeclared(c, p.TargetPort) {
					t.Errorf("Service %s targetPort: got %v, want one of the api container ports %v", d.Metadata.Name, p.TargetPort, c.Ports)
				}
			}
		}
		if len(matching) != 1 {
			t.Errorf("Services selecting the api pods: got %v, want exactly 1", matching)
		}
	})
	t.Run(name+"/HorizontalPodAutoscaler", func(t *testing.T) {
		if got := hpaTargeting(hs, name); got != 1 {
			t.Errorf("HPAs targeting %s: got %d, want 1", name, got)
		}
	})
}

func TestHorizontalPodAutoscalers(t *testing.T) {
	m := loadManifests(t)
	deps := m.workloads(t, "Deployment")
	for _, d := range m.ofKind("HorizontalPodAutoscaler") {
		h := decodeAs[hpa](t, d)
		t.Run(d.id(), func(t *testing.T) {
			ref := h.Spec.ScaleTargetRef
			tests := []struct {
				field     string
				got, want any
				ok        bool
			}{
				{"apiVersion", d.APIVersion, "autoscaling/v2", d.APIVersion == "autoscaling/v2"},
				{"scaleTargetRef.apiVersion", ref.APIVersion, "apps/v1", ref.APIVersion == "apps/v1"},
				{"scaleTargetRef.kind", ref.Kind, "Deployment", ref.Kind == "Deployment"},
				{"scaleTargetRef.name", ref.Name, "a Deployment defined in deploy/k8s", deps[ref.Name].Spec.Template.Spec.Containers != nil},
				{"minReplicas", h.Spec.MinReplicas, ">= 1", h.Spec.MinReplicas != nil && *h.Spec.MinReplicas >= 1},
				{"maxReplicas", h.Spec.MaxReplicas, ">= minReplicas", h.Spec.MinReplicas != nil && h.Spec.MaxReplicas >= *h.Spec.MinReplicas},
				{"len(metrics)", len(h.Spec.Metrics), ">= 1", len(h.Spec.Metrics) >= 1},
			}
			for _, tt := range tests {
				if !tt.ok {
					t.Errorf("%s: got %v, want %v", tt.field, fmtPtr(tt.got), tt.want)
				}
			}
		})
	}
}

func fmtPtr(v any) any {
	switch p := v.(type) {
	case *int32:
		if p == nil {
			return "unset"
		}
		return *p
	case *string:
		if p == nil {
			return "unset"
		}
		return *p
	}
	return v
}

func TestConfigMapsHoldNoSecrets(t *testing.T) {
	m := loadManifests(t)
	for _, d := range m.ofKind("ConfigMap") {
		cm := decodeAs[configMap](t, d)
		t.Run(d.id(), func(t *testing.T) {
			if v, ok := cm.Data[dbEnv]; ok {
				t.Errorf("data.%s: got %q, want absent (it comes from Secret %s)", dbEnv, v, dbSecretName)
			}
			for k, v := range cm.Data {
				if strings.Contains(strings.ToLower(v), "postgres://") {
					t.Errorf("data.%s: got a connection string, want it in Secret %s", k, dbSecretName)
				}
			}
		})
	}
}

func TestOneImageTag(t *testing.T) {
	m := loadManifests(t)
	images := map[string][]string{}
	for _, kind := range []string{"Deployment", "Job"} {
		for name, w := range m.workloads(t, kind) {
			for _, c := range w.Spec.Template.Spec.allContainers() {
				images[c.Image] = append(images[c.Image], kind+"/"+name)
			}
		}
	}
	if len(images) != 1 {
		t.Errorf("distinct images: got %v, want one image everywhere", images)
	}
}

// ---------------------------------------------------------- network policies

type labelSelector struct {
	MatchLabels      map[string]string `yaml:"matchLabels"`
	MatchExpressions []struct {
		Key      string   `yaml:"key"`
		Operator string   `yaml:"operator"`
		Values   []string `yaml:"values"`
	} `yaml:"matchExpressions"`
}

// matches reports whether the selector selects labels; an empty one
// selects everything.
func (s labelSelector) matches(t *testing.T, labels map[string]string) bool {
	t.Helper()
	if !subsetOf(s.MatchLabels, labels) {
		return false
	}
	for _, e := range s.MatchExpressions {
		v, has := labels[e.Key]
		switch e.Operator {
		case "In":
			if !has || !slices.Contains(e.Values, v) {
				return false
			}
		case "NotIn":
			if has && slices.Contains(e.Values, v) {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		default:
			t.Fatalf("matchExpressions operator: got %q, want In, NotIn, Exists or DoesNotExist", e.Operator)
		}
	}
	return true
}

type networkPolicy struct {
	Spec struct {
		PodSelector labelSelector `yaml:"podSelector"`
		PolicyTypes []string      `yaml:"policyTypes"`
		Ingress     []ingressRule `yaml:"ingress"`
	} `yaml:"spec"`
}

type ingressRule struct {
	From  []peer `yaml:"from"`
	Ports []struct {
		Port any `yaml:"port"`
	} `yaml:"ports"`
}

type peer struct {
	PodSelector       *labelSelector `yaml:"podSelector"`
	NamespaceSelector *labelSelector `yaml:"namespaceSelector"`
	IPBlock           any            `yaml:"ipBlock"`
}

// covers reports whether the rule admits traffic to a port of c (c names
// the named ports); a rule without ports admits every port.
func (r ingressRule) covers(c container, port int) bool {
	if len(r.Ports) == 0 {
		return true
	}
	for _, p := range r.Ports {
		if p.Port == port || slices.ContainsFunc(c.Ports, func(cp containerPort) bool { return cp.Name == p.Port && cp.ContainerPort == port }) {
			return true
		}
	}
	return false
}

// The Prometheus billgate's metrics ports admit, as 40-networkpolicies.yaml chooses it.
const (
	monitoringNamespace = "monitoring"
	prometheusName      = "prometheus"
)

func (p peer) isPrometheus() bool {
	return p.NamespaceSelector != nil && p.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == monitoringNamespace &&
		p.PodSelector != nil && p.PodSelector.MatchLabels["app.kubernetes.io/name"] == prometheusName
}

func loadNetworkPolicies(t *testing.T, m manifests) []networkPolicy {
	t.Helper()
	var out []networkPolicy
	for _, d := range m.ofKind("NetworkPolicy") {
		p := decodeAs[networkPolicy](t, d)
		if d.APIVersion != "networking.k8s.io/v1" || !slices.Contains(p.Spec.PolicyTypes, "Ingress") {
			t.Errorf("%s: got apiVersion %s, policyTypes %v; want networking.k8s.io/v1 with Ingress", d.id(), d.APIVersion, p.Spec.PolicyTypes)
		}
		for _, r := range p.Spec.Ingress {
			for _, from := range r.From {
				if from.IPBlock != nil {
					t.Errorf("%s: got an ipBlock peer, want pods chosen by label", d.id())
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// ingressTo returns the rules that admit traffic into pods with these
// labels, and whether any policy selects them: a pod no policy selects
// takes traffic from anywhere.
func ingressTo(t *testing.T, policies []networkPolicy, labels map[string]string) (rules []ingressRule, isolated bool) {
	t.Helper()
	for _, p := range policies {
		if p.Spec.PodSelector.matches(t, labels) {
			isolated = true
			rules = append(rules, p.Spec.Ingress...)
		}
	}
	return rules, isolated
}

func portNamed(c container, name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

// Every billgate pod is isolated; the metrics port admits Prometheus from
// the monitoring namespace alone, and the API's http port admits anyone.
func TestNetworkPoliciesOfBillgatePods(t *testing.T) {
	m := loadManifests(t)
	policies := loadNetworkPolicies(t, m)
	for _, kind := range []string{"Deployment", "Job"} {
		for name, w := range m.workloads(t, kind) {
			t.Run(kind+"/"+name, func(t *testing.T) {
				rules, isolated := ingressTo(t, policies, w.Spec.Template.Metadata.Labels)
				if !isolated {
					t.Fatalf("NetworkPolicies selecting the pods: got none, want some (else anyone may connect)")
				}
				if kind != "Deployment" {
					return
				}
				c, _ := mainContainer(w)
				metrics := portNamed(c, "metrics")
				scraped := false
				for _, r := range rules {
					if !r.covers(c, metrics) {
						continue
					}
					if len(r.From) == 0 {
						t.Errorf("metrics port %d: got a rule that admits everyone, want Prometheus alone", metrics)
					}
					for _, from := range r.From {
						if !from.isPrometheus() {
							t.Errorf("metrics port %d: got peer %+v, want namespace %s, pods %s alone", metrics, from, monitoringNamespace, prometheusName)
						}
						scraped = true
					}
				}
				if !scraped {
					t.Errorf("metrics port %d: got no rule admitting Prometheus, want one", metrics)
				}
				if subcommand(c) == "api" && !slices.ContainsFunc(rules, func(r ingressRule) bool { return len(r.From) == 0 && r.covers(c, portNamed(c, "http")) }) {
					t.Errorf("http port: got no rule admitting clients, want the API open to them")
				}
			})
		}
	}
}

// Only billgate's API and workers (and Temporal's own pods) reach the
// Temporal frontend's gRPC port.
func TestNetworkPolicyOfTemporalFrontend(t *testing.T) {
	m := loadManifests(t)
	policies := loadNetworkPolicies(t, m)
	frontend := map[string]string{"app.kubernetes.io/name": "temporal", "app.kubernetes.io/component": "frontend"}
	const grpcPort = 7233
	rules, isolated := ingressTo(t, policies, frontend)
	if !isolated {
		t.Fatalf("NetworkPolicies selecting the Temporal frontend %v: got none, want one", frontend)
	}
	var clients []peer
	for _, r := range rules {
		if !r.covers(container{}, grpcPort) {
			continue
		}
		if len(r.From) == 0 {
			t.Errorf("port %d: got a rule that admits everyone, want billgate's pods alone", grpcPort)
		}
		for _, from := range r.From {
			switch {
			case from.PodSelector == nil || from.PodSelector.matches(t, map[string]string{}):
				t.Errorf("port %d: got peer %+v that selects pods of every kind, want them chosen by label", grpcPort, from)
			case from.NamespaceSelector == nil && from.PodSelector.MatchLabels["app.kubernetes.io/name"] == "temporal":
				// Temporal's own services, in its namespace.
			case from.NamespaceSelector != nil && from.PodSelector.MatchLabels["app.kubernetes.io/name"] == "billgate":
				clients = append(clients, from)
			default:
				t.Errorf("port %d: got peer %+v, want billgate's pods or Temporal's own", grpcPort, from)
			}
		}
	}
	selected := func(labels map[string]string) bool {
		return slices.ContainsFunc(clients, func(p peer) bool { return p.PodSelector.matches(t, labels) })
	}
	for _, kind := range []string{"Deployment", "Job"} {
		for name, w := range m.workloads(t, kind) {
			c, _ := mainContainer(w)
			want := subcommand(c) == "api" || subcommand(c) == "worker"
			if got := selected(w.Spec.Template.Metadata.Labels); got != want {
				t.Errorf("%s/%s (billgate %s) reaches the Temporal frontend: got %v, want %v", kind, name, subcommand(c), got, want)
			}
		}
	}
}

// settings is a container's environment: its env over the ConfigMaps it
// takes with envFrom.
func settings(t *testing.T, m manifests, c container) map[string]envVar {
	t.Helper()
	out := map[string]envVar{}
	for _, from := range c.EnvFrom {
		for _, d := range m.ofKind("ConfigMap") {
			if from.ConfigMapRef != nil && d.Metadata.Name == from.ConfigMapRef.Name {
				for k, v := range decodeAs[configMap](t, d).Data {
					out[k] = envVar{Name: k, Value: &v}
				}
			}
		}
	}
	for _, e := range c.Env {
		out[e.Name] = e
	}
	return out
}

// The API and the workers serve /metrics on the port named metrics, which
// Prometheus's annotation names, never on the http port.
func TestMetricsPort(t *testing.T) {
	m := loadManifests(t)
	for name, w := range m.workloads(t, "Deployment") {
		t.Run(name, func(t *testing.T) {
			c, _ := mainContainer(w)
			metrics := portNamed(c, "metrics")
			if metrics == 0 || metrics == portNamed(c, "http") {
				t.Fatalf("container port metrics: got %d, want one apart from http %d", metrics, portNamed(c, "http"))
			}
			addr := settings(t, m, c)["BILLGATE_METRICS_ADDR"].Value
			if addr == nil || !strings.HasSuffix(*addr, fmt.Sprintf(":%d", metrics)) {
				t.Errorf("BILLGATE_METRICS_ADDR: got %v, want :%d", fmtPtr(addr), metrics)
			}
			if got := w.Spec.Template.Metadata.Annotations["prometheus.io/port"]; got != fmt.Sprint(metrics) {
				t.Errorf("annotation prometheus.io/port: got %q, want %d", got, metrics)
			}
		})
	}
}

// The API and the workers authenticate to Temporal: a client certificate
// from a mounted Secret, or an API key from a Secret.
func TestTemporalCredentials(t *testing.T) {
	m := loadManifests(t)
	for name, w := range m.workloads(t, "Deployment") {
		c, _ := mainContainer(w)
		if cmd := subcommand(c); cmd != "api" && cmd != "worker" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			env := settings(t, m, c)
			if key, ok := env["BILLGATE_TEMPORAL_API_KEY"]; ok {
				if key.ValueFrom == nil || key.ValueFrom.SecretKeyRef == nil {
					t.Errorf("BILLGATE_TEMPORAL_API_KEY: got an inline value, want valueFrom.secretKeyRef")
				}
				return
			}
			for _, name := range []string{"BILLGATE_TEMPORAL_TLS_CERT", "BILLGATE_TEMPORAL_TLS_KEY", "BILLGATE_TEMPORAL_TLS_CA"} {
				path := env[name].Value
				if path == nil || !fromSecretVolume(w.Spec.Template.Spec, c, *path) {
					t.Errorf("%s: got %v, want a file of a mounted Secret (or BILLGATE_TEMPORAL_API_KEY from a Secret)", name, fmtPtr(path))
				}
			}
		})
	}
}

func fromSecretVolume(p podSpec, c container, file string) bool {
	for _, mount := range c.VolumeMounts {
		if !strings.HasPrefix(file, strings.TrimSuffix(mount.MountPath, "/")+"/") {
			continue
		}
		for _, v := range p.Volumes {
			if v.Name == mount.Name && v.Secret != nil && v.Secret.SecretName != "" {
				return true
			}
		}
	}
	return false
}

// ------------------------------------------------------------ docker-compose

type composeFile struct {
	Version  *string                   `yaml:"version"`
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string    `yaml:"image"`
	Build       yaml.Node `yaml:"build"`
	Command     any       `yaml:"command"`
	Environment yaml.Node `yaml:"environment"`
	Healthcheck *struct {
		Test    any  `yaml:"test"`
		Disable bool `yaml:"disable"`
	} `yaml:"healthcheck"`
	DependsOn yaml.Node `yaml:"depends_on"`
	Volumes   []string  `yaml:"volumes"`
	Ports     []any     `yaml:"ports"`
	Deploy    *struct {
		Replicas *int `yaml:"replicas"`
	} `yaml:"deploy"`
}

const (
	started   = "service_started"
	healthy   = "service_healthy"
	completed = "service_completed_successfully"
)

// dependsOn returns dependency -> condition for both the list and the map syntax.
func (s composeService) dependsOn(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	switch s.DependsOn.Kind {
	case 0:
	case yaml.SequenceNode:
		var names []string
		if err := s.DependsOn.Decode(&names); err != nil {
			t.Fatalf("depends_on list: got %v, want nil", err)
		}
		for _, n := range names {
			out[n] = started
		}
	case yaml.MappingNode:
		var deps map[string]struct {
			Condition string `yaml:"condition"`
		}
		if err := s.DependsOn.Decode(&deps); err != nil {
			t.Fatalf("depends_on map: got %v, want nil", err)
		}
		for n, d := range deps {
			if d.Condition == "" {
				d.Condition = started
			}
			out[n] = d.Condition
		}
	default:
		t.Fatalf("depends_on: got YAML node kind %v, want a list or a map", s.DependsOn.Kind)
	}
	return out
}

// environment returns the service environment for both the list and the map syntax.
func (s composeService) environment(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	switch s.Environment.Kind {
	case 0:
	case yaml.SequenceNode:
		var kvs []string
		if err := s.Environment.Decode(&kvs); err != nil {
			t.Fatalf("environment list: got %v, want nil", err)
		}
		for _, kv := range kvs {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = v
		}
	case yaml.MappingNode:
		if err := s.Environment.Decode(&out); err != nil {
			t.Fatalf("environment map: got %v, want nil", err)
		}
	}
	return out
}

func (s composeService) commandText() string {
	switch c := s.Command.(type) {
	case string:
		return c
	case []any:
		parts := make([]string, len(c))
		for i, p := range c {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, " ")
	}
	return ""
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatalf("read %s: got %v, want nil", composePath, err)
	}
	var f composeFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("parse %s: got %v, want nil", composePath, err)
	}
	if len(f.Services) == 0 {
		t.Fatalf("services in %s: got 0, want some", composePath)
	}
	return f
}

// oneShots are the services something waits on with service_completed_successfully.
func oneShots(t *testing.T, f composeFile) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, s := range f.Services {
		for dep, cond := range s.dependsOn(t) {
			if cond == completed {
				out[dep] = true
			}
		}
	}
	return out
}

func TestComposeServices(t *testing.T) {
	f := loadCompose(t)
	if f.Version != nil {
		t.Errorf("top-level version: got %q, want absent (Compose spec format)", *f.Version)
	}
	once := oneShots(t, f)
	for name, s := range f.Services {
		t.Run(name, func(t *testing.T) {
			if !once[name] {
				hc := s.Healthcheck
				if hc == nil || hc.Disable || hc.Test == nil {
					t.Errorf("healthcheck: got %+v, want a test on every long-running service", hc)
				}
			}
			repo, tag, ok := strings.Cut(s.Image, ":")
			if !ok || repo == "" || tag == "" || tag == "latest" {
				t.Errorf("image: got %q, want a pinned tag", s.Image)
			}
			for dep, cond := range s.dependsOn(t) {
				if _, exists := f.Services[dep]; !exists {
					t.Errorf("depends_on %s: got an undefined service, want one of the services", dep)
					continue
				}
				want := healthy
				if once[dep] {
					want = completed
				}
				if cond != want {
					t.Errorf("depends_on %s condition: got %s, want %s", dep, cond, want)
				}
			}
			if s.Build.Kind != 0 {
				var b struct {
					Context    string `yaml:"context"`
					Dockerfile string `yaml:"dockerfile"`
				}
				if err := s.Build.Decode(&b); err != nil {
					t.Fatalf("build: got %v, want a mapping with context and dockerfile", err)
				}
				if b.Context != "." || b.Dockerfile != "deploy/Dockerfile" {
					t.Errorf("build: got context=%q dockerfile=%q, want context=%q dockerfile=%q", b.Context, b.Dockerfile, ".", "deploy/Dockerfile")
				}
			}
		})
	}
}

func TestComposeDependencies(t *testing.T) {
	f := loadCompose(t)
	tests := []struct {
		service, dependency, condition string
	}{
		{"migrate", "postgres", healthy},
		{"api", "migrate", completed},
		{"worker", "migrate", completed},
		{"api", "temporal", healthy},
		{"worker", "temporal", healthy},
		{"api", "temporal-register", completed},
		{"worker", "temporal-register", completed},
		{"temporal", "temporal-schema", completed},
		{"temporal", "temporal-postgres", healthy},
		{"temporal-schema", "temporal-postgres", healthy},
		{"temporal-register", "temporal", healthy},
		{"temporal-ui", "temporal", healthy},
	}
	for _, tt := range tests {
		t.Run(tt.service+"->"+tt.dependency, func(t *testing.T) {
			s, ok := f.Services[tt.service]
			if !ok {
				t.Fatalf("service %s: got undefined, want defined", tt.service)
			}
			if got := s.dependsOn(t)[tt.dependency]; got != tt.condition {
				t.Errorf("condition: got %q, want %q", got, tt.condition)
			}
		})
	}
}

func TestComposeBillgate(t *testing.T) {
	f := loadCompose(t)
	tests := []struct {
		service, command string
		minReplicas      int
	}{
		{"migrate", "migrate", 0},
		{"api", "api", 0},
		{"worker", "worker", 2},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			s, ok := f.Services[tt.service]
			if !ok {
				t.Fatalf("service %s: got undefined, want defined", tt.service)
			}
			if got := strings.Fields(s.commandText()); len(got) == 0 || got[0] != tt.command {
				t.Errorf("command: got %v, want %q first", got, tt.command)
			}
			if s.Build.Kind == 0 {
				t.Errorf("build: got none, want deploy/Dockerfile")
			}
			if db := s.environment(t)[dbEnv]; db == "" {
				t.Errorf("%s: got empty, want the app database URL", dbEnv)
			}
			if tt.minReplicas > 0 {
				got := 1
				if s.Deploy != nil && s.Deploy.Replicas != nil {
					got = *s.Deploy.Replicas
				}
				if got < tt.minReplicas {
					t.Errorf("deploy.replicas: got %d, want >= %d", got, tt.minReplicas)
				}
			}
		})
	}
}

// The compose API has keys of its own, so tokens and signing keys survive a
// restart of its container; they must be keys billgate accepts.
func TestComposeAPIKeys(t *testing.T) {
	env := loadCompose(t).Services["api"].environment(t)
	if keys, err := auth.ParseTokenKeys(env["BILLGATE_JWT_KEYS"]); err == nil {
		_, err = auth.NewTokens(keys, "http://localhost:8080", time.Now)
		if err != nil {
			t.Errorf("BILLGATE_JWT_KEYS: %v", err)
		}
	} else {
		t.Errorf("BILLGATE_JWT_KEYS: %v", err)
	}
	if keys, err := sealed.ParseKeys(env["BILLGATE_MASTER_KEYS"]); err != nil {
		t.Errorf("BILLGATE_MASTER_KEYS: %v", err)
	} else if _, err := sealed.New(keys); err != nil {
		t.Errorf("BILLGATE_MASTER_KEYS: %v", err)
	}
}

// The compose worker opens the payloads the API sealed, and the UI
// decodes them through the API, which lets the UI's origin in.
func TestComposeTemporalCodec(t *testing.T) {
	f := loadCompose(t)
	api, worker, ui := f.Services["api"].environment(t), f.Services["worker"].environment(t), f.Services["temporal-ui"].environment(t)
	if worker["BILLGATE_MASTER_KEYS"] == "" || worker["BILLGATE_MASTER_KEYS"] != api["BILLGATE_MASTER_KEYS"] {
		t.Errorf("worker BILLGATE_MASTER_KEYS = %q, want the api's %q", worker["BILLGATE_MASTER_KEYS"], api["BILLGATE_MASTER_KEYS"])
	}
	if got := ui["TEMPORAL_CODEC_ENDPOINT"]; !strings.HasSuffix(got, "/temporal-codec") || ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] != "true" {
		t.Errorf("temporal-ui codec = %q (credentials %q), want the API's /temporal-codec, with credentials", got, ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"])
	}
	if got := api["BILLGATE_TEMPORAL_UI_ORIGIN"]; got != "http://127.0.0.1:8233" {
		t.Errorf("api BILLGATE_TEMPORAL_UI_ORIGIN = %q, want the UI's published origin http://127.0.0.1:8233", got)
	}
}

func TestComposeTemporal(t *testing.T) {
	f := loadCompose(t)

	t.Run("dynamic-config", func(t *testing.T) {
		s := f.Services["temporal"]
		p := s.environment(t)["DYNAMIC_CONFIG_FILE_PATH"]
		if p == "" {
			t.Fatalf("DYNAMIC_CONFIG_FILE_PATH: got empty, want the mounted development-sql.yaml")
		}
		local := filepath.Join(dynamicConfigDir, path.Base(p))
		if _, err := os.Stat(local); err != nil {
			t.Errorf("dynamic config %s: got %v, want the file to exist", local, err)
		}
		mounted := false
		for _, v := range s.Volumes {
			src, dst, _ := strings.Cut(v, ":")
			dst, _, _ = strings.Cut(dst, ":")
			if path.Clean(src) == "deploy/"+dynamicConfigDir && dst == path.Dir(p) {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("temporal volumes: got %v, want ./deploy/%s mounted at %s", s.Volumes, dynamicConfigDir, path.Dir(p))
		}
	})

	for _, sa := range searchAttributes {
		t.Run("search-attribute/"+sa.name, func(t *testing.T) {
			cmd := f.Services["temporal-register"].commandText()
			if want := sa.name + ":" + sa.typ; !strings.Contains(cmd, want) {
				t.Errorf("temporal-register command: got no %q, want it registered", want)
			}
		})
	}
}

// publishedPorts returns each published port of a service as its host IP
// and container port, from the short ("127.0.0.1:8233:8080") or the long
// syntax.
func publishedPorts(t *testing.T, s composeService) (out [][2]string) {
	t.Helper()
	for _, p := range s.Ports {
		switch v := p.(type) {
		case string:
			parts := strings.Split(v, ":")
			ip := ""
			if len(parts) == 3 {
				ip = parts[0]
			}
			out = append(out, [2]string{ip, parts[len(parts)-1]})
		case map[string]any:
			ip, _ := v["host_ip"].(string)
			out = append(out, [2]string{ip, fmt.Sprint(v["target"])})
		default:
			t.Fatalf("ports entry: got %T, want a string or a mapping", p)
		}
	}
	return out
}

// Whoever reaches Temporal or its UI drives billgate's workflows: the
// compose stack publishes them on loopback alone.
func TestComposeTemporalOnLoopback(t *testing.T) {
	f := loadCompose(t)
	for _, name := range []string{"temporal", "temporal-ui"} {
		ports := publishedPorts(t, f.Services[name])
		if len(ports) == 0 {
			t.Errorf("%s ports: got none, want it published on 127.0.0.1 for the CLI and the browser", name)
		}
		for _, p := range ports {
			if p[0] != "127.0.0.1" {
				t.Errorf("%s port %s: got host IP %q, want 127.0.0.1", name, p[1], p[0])
			}
		}
	}
}

// billgate's compose services keep /metrics off the API's port.
func TestComposeMetricsApart(t *testing.T) {
	f := loadCompose(t)
	for _, name := range []string{"api", "worker"} {
		env := f.Services[name].environment(t)
		if m := env["BILLGATE_METRICS_ADDR"]; m == "" || m == env["BILLGATE_HTTP"] {
			t.Errorf("%s BILLGATE_METRICS_ADDR: got %q, want an address apart from BILLGATE_HTTP %q", name, m, env["BILLGATE_HTTP"])
		}
	}
}

// --------------------------------------------------- Temporal dynamic config

func TestTemporalDynamicConfig(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(dynamicConfigDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("dynamic config files: got %v (err %v), want at least 1", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("read: got %v, want nil", err)
			}
			var cfg map[string][]struct {
				Value       any            `yaml:"value"`
				Constraints map[string]any `yaml:"constraints"`
			}
			if err := yaml.Unmarshal(b, &cfg); err != nil {
				t.Fatalf("parse: got %v, want nil", err)
			}
			for key, values := range cfg {
				if len(values) == 0 {
					t.Errorf("%s: got no values, want at least 1", key)
				}
				for i, v := range values {
					if v.Value == nil {
						t.Errorf("%s[%d].value: got nil, want a value", key, i)
					}
				}
			}
		})
	}
}

// ------------------------------------------------------------------ Dockerfile

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatalf("read %s: got %v, want nil", dockerfilePath, err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	var froms []string
	for _, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			froms = append(froms, l)
		}
	}
	tests := []struct {
		name string
		want string
		ok   func(string) bool
	}{
		{"final-stage", "FROM gcr.io/distroless/static-debian12:nonroot", func(l string) bool {
			return len(froms) > 0 && froms[len(froms)-1] == l
		}},
		{"user", "USER nonroot", func(l string) bool { return l == "USER nonroot" || l == "USER nonroot:nonroot" }},
		{"entrypoint", `ENTRYPOINT ["/billgate"]`, func(l string) bool { return l == `ENTRYPOINT ["/billgate"]` }},
		{"expose", "EXPOSE 8080", func(l string) bool {
			return strings.HasPrefix(l, "EXPOSE ") && slices.Contains(strings.Fields(l), "8080")
		}},
		{"static-build", "CGO_ENABLED=0", func(l string) bool { return strings.Contains(l, "CGO_ENABLED=0") }},
		{"module-download-layer", "RUN go mod download", func(l string) bool { return strings.HasPrefix(l, "RUN go mod download") }},
		{"build", "go build -trimpath -ldflags \"-s -w\" -o /out/billgate ./cmd/billgate", func(l string) bool {
			return strings.Contains(l, "go build -trimpath -ldflags \"-s -w\" -o /out/billgate ./cmd/billgate")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.ContainsFunc(lines, tt.ok) {
				t.Errorf("Dockerfile: got no line matching, want %s", tt.want)
			}
		})
	}
}
