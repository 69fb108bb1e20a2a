// Command validate checks rendered Kubernetes manifests offline, without a cluster and without downloaded
// JSON schemas: every document is decoded strictly into the Kubernetes API's own Go types (an unknown or
// misspelled field, a wrong type or a duplicate key is an error), then the references between objects are
// checked (selectors match pod labels, probes and Services name ports that exist, Ingress backends and the
// HPA target exist, every container has resource requests and limits).
//
//	kustomize build deploy/k8s/base | go run ./deploy/k8s/validate -external-secret llm-relay-secrets
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	sigyaml "sigs.k8s.io/yaml"
)

type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	ingresses   []*networkingv1.Ingress
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	pdbs        []*policyv1.PodDisruptionBudget
	configMaps  map[string]bool
	secrets     map[string]bool
	secretKeys  map[string]map[string]bool
	objects     int
}

func main() {
	var externalSecrets string
	flag.StringVar(&externalSecrets, "external-secret", "", "comma-separated Secret names created outside these manifests")
	flag.Parse()

	m, err := decodeAll(os.Stdin)
	if err != nil {
		fail([]string{err.Error()})
	}
	// a Secret created outside these manifests counts as present for references, not in the summary
	external := map[string]bool{}
	for _, name := range strings.Split(externalSecrets, ",") {
		if name != "" {
			external[name] = true
		}
	}
	problems := m.check(external)
	if len(problems) > 0 {
		fail(problems)
	}
	fmt.Printf("k8s: %d objects (%d deployments, %d services, %d ingresses, %d HPAs, %d PDBs, %d config maps, %d secrets): strict decode and references OK\n",
		m.objects, len(m.deployments), len(m.services), len(m.ingresses), len(m.hpas), len(m.pdbs), len(m.configMaps), len(m.secrets))
}

func fail(problems []string) {
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "k8s: "+p)
	}
	os.Exit(1)
}

func decodeAll(r io.Reader) (*manifests, error) {
	codecs := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict)
	decoder := codecs.UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	m := &manifests{configMaps: map[string]bool{}, secrets: map[string]bool{}, secretKeys: map[string]map[string]bool{}}
	for i := 1; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		js, err := sigyaml.YAMLToJSONStrict(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		obj, gvk, err := decoder.Decode(js, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if err := m.add(obj); err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i, gvk.Kind, err)
		}
	}
}

func (m *manifests) add(obj runtime.Object) error {
	m.objects++
	switch o := obj.(type) {
	case *appsv1.Deployment:
		m.deployments = append(m.deployments, o)
	case *corev1.Service:
		m.services = append(m.services, o)
	case *networkingv1.Ingress:
		m.ingresses = append(m.ingresses, o)
	case *autoscalingv2.HorizontalPodAutoscaler:
		m.hpas = append(m.hpas, o)
	case *policyv1.PodDisruptionBudget:
		m.pdbs = append(m.pdbs, o)
	case *corev1.ConfigMap:
		m.configMaps[o.Name] = true
	case *corev1.Secret:
		m.secrets[o.Name] = true
		keys := map[string]bool{}
		for k := range o.Data {
			keys[k] = true
		}
		for k := range o.StringData {
			keys[k] = true
		}
		m.secretKeys[o.Name] = keys
	case *corev1.Namespace:
	default:
		return fmt.Errorf("kind not expected in this project: %T", obj)
	}
	return nil
}
