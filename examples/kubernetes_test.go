// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package examples_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// manifests decodes every document of examples/kubernetes/*.yaml strictly
// (an unknown or misspelt field is an error) into its API type.
func manifests(t *testing.T) map[string][]any {
	t.Helper()
	files, _ := filepath.Glob("kubernetes/*.yaml")
	if len(files) == 0 {
		t.Fatal("no Kubernetes manifests")
	}
	out := map[string][]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			var obj any
			switch tm.APIVersion + " " + tm.Kind {
			case "apps/v1 DaemonSet":
				obj = &appsv1.DaemonSet{}
			case "apps/v1 Deployment":
				obj = &appsv1.Deployment{}
			case "v1 Service":
				obj = &corev1.Service{}
			case "v1 ConfigMap":
				obj = &corev1.ConfigMap{}
			case "monitoring.coreos.com/v1 PrometheusRule":
				obj = &monitoringv1.PrometheusRule{}
			case "kustomize.config.k8s.io/v1beta1 Kustomization":
				obj = &kustomization{}
			default:
				t.Fatalf("%s document %d: no API type for %s %s", f, i, tm.APIVersion, tm.Kind)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s document %d (%s): %v", f, i, tm.Kind, err)
			}
			out[tm.Kind] = append(out[tm.Kind], obj)
		}
	}
	return out
}

// kustomization is the part of kustomize's Kustomization the example uses
// (kustomize's own module is far larger than this check is worth).
type kustomization struct {
	metav1.TypeMeta `json:",inline"`
	Resources       []string `json:"resources"`
}

func TestKubernetesManifests(t *testing.T) {
	m := manifests(t)
	for _, kind := range []string{"DaemonSet", "Deployment", "Service", "ConfigMap", "PrometheusRule", "Kustomization"} {
		if len(m[kind]) == 0 {
			t.Errorf("no %s decoded", kind)
		}
	}
	for _, r := range m["Kustomization"][0].(*kustomization).Resources {
		if _, err := os.Stat(filepath.Join("kubernetes", r)); err != nil {
			t.Errorf("kustomization resource: %v", err)
		}
	}

	image := makeImage(t)
	var pods []corev1.PodSpec
	for _, o := range m["DaemonSet"] {
		pods = append(pods, o.(*appsv1.DaemonSet).Spec.Template.Spec)
	}
	for _, o := range m["Deployment"] {
		pods = append(pods, o.(*appsv1.Deployment).Spec.Template.Spec)
	}
	for _, p := range pods {
		for _, c := range p.Containers {
			if c.Image != image {
				t.Errorf("container %s runs %q, but make docker builds %q", c.Name, c.Image, image)
			}
		}
		for _, v := range p.Volumes {
			if v.HostPath != nil && (v.HostPath.Type == nil || *v.HostPath.Type == corev1.HostPathDirectoryOrCreate || *v.HostPath.Type == corev1.HostPathFileOrCreate) {
				t.Errorf("volume %s: a hostPath must not create anything on the node (type Directory or File)", v.Name)
			}
		}
	}

	// The probe Deployment's config loads and defines every module the
	// example Prometheus configuration asks for.
	cm := m["ConfigMap"][0].(*corev1.ConfigMap)
	c, err := config.Parse([]byte(cm.Data["acme_exporter.yml"]))
	if err != nil {
		t.Fatalf("ConfigMap %s: %v", cm.Name, err)
	}
	if c.DiscoveryEnabled() {
		t.Error("the probe Deployment has no host files: its discovery must be off")
	}
	var pc promConfig
	readYAML(t, "prometheus.yml", &pc)
	for _, job := range pc.ScrapeConfigs {
		for _, mod := range job.Params["module"] {
			if c.Modules[mod] == nil {
				t.Errorf("job %s asks for module %q, which the probe ConfigMap lacks", job.JobName, mod)
			}
		}
	}
}

// makeImage is the image `make docker` tags: DOCKER_IMAGE:DOCKER_TAG from
// the Makefile, with $(VERSION) from the VERSION file. The Dockerfile's
// entrypoint must be the binary it builds.
func makeImage(t *testing.T) string {
	t.Helper()
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	version, err := os.ReadFile("../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"VERSION": strings.TrimSpace(string(version))}
	for _, name := range []string{"DOCKER_IMAGE", "DOCKER_TAG"} {
		m := regexp.MustCompile(`(?m)^` + name + `\s*\?=\s*(\S+)\s*$`).FindSubmatch(mk)
		if m == nil {
			t.Fatalf("Makefile sets no %s", name)
		}
		vars[name] = os.Expand(strings.NewReplacer("$(", "${", ")", "}").Replace(string(m[1])), func(k string) string { return vars[k] })
	}
	if !regexp.MustCompile(`(?m)^docker:\n\tdocker build -t \$\(DOCKER_IMAGE\):\$\(DOCKER_TAG\) \.$`).Match(mk) {
		t.Error("the Makefile's docker target does not tag $(DOCKER_IMAGE):$(DOCKER_TAG) from the Dockerfile")
	}
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(df, []byte("RUN make build")) || !bytes.Contains(df, []byte(`ENTRYPOINT ["/bin/acme_exporter"]`)) {
		t.Error("the Dockerfile must build with make build and run /bin/acme_exporter")
	}
	return vars["DOCKER_IMAGE"] + ":" + vars["DOCKER_TAG"]
}

// TestDaemonSetOnEmptyNode runs the binary with the DaemonSet's own
// arguments on a node without any ACME client: the host root it mounts is
// an empty directory. Nothing may fail: no acme_probe_failure_info at all,
// and the probes the manifest configures answer 200.
func TestDaemonSetOnEmptyNode(t *testing.T) {
	ds := manifests(t)["DaemonSet"][0].(*appsv1.DaemonSet)
	pod := ds.Spec.Template.Spec
	c := pod.Containers[0]
	node := testbed.Dir(t) // the node's /, empty
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		for _, v := range pod.Volumes {
			if v.Name == vm.Name && v.HostPath != nil {
				mounts[vm.MountPath] = filepath.Join(node, v.HostPath.Path)
			}
		}
	}
	if len(mounts) == 0 {
		t.Fatal("the DaemonSet mounts nothing of the host")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(t, "127.0.0.1"))
	args := []string{}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "--web.listen-address=") {
			a = "--web.listen-address=" + addr
		}
		for in, host := range mounts {
			a = strings.ReplaceAll(a, "="+in, "="+host)
		}
		args = append(args, a)
	}
	bin := filepath.Join(t.TempDir(), "acme_exporter")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/acme_exporter").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// Offline: the clock and directory defaults would reach the internet.
	p := testbed.Start(t, t.TempDir(), "acme_exporter", append([]string{bin}, args...), "ACME_EXPORTER_OFFLINE=1")
	testbed.WaitTCP(t, addr, p)
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		if code, body := get(pr.HTTPGet.Path); code != http.StatusOK {
			t.Errorf("%s: %d %s", pr.HTTPGet.Path, code, body)
		}
	}
	_, metrics := get("/metrics")
	if !strings.Contains(metrics, "acme_discovery_last_scan_timestamp_seconds") {
		t.Fatalf("no discovery scan in the metrics:\n%s", metrics)
	}
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, "acme_probe_failure_info{") {
			t.Errorf("failing check on a node without ACME clients: %s", l)
		}
	}
	if !strings.Contains(p.Logs(), `"clients":"none"`) {
		t.Errorf("the discovery summary should say no client was found:\n%s", p.Logs())
	}
}
