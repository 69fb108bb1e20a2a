package main

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// check returns every broken reference between the decoded objects.
func (m *manifests) check(externalSecrets map[string]bool) []string {
	var p []string
	secretExists := func(name string) bool { return m.secrets[name] || externalSecrets[name] }
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	for _, d := range m.deployments {
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			add("Deployment %s: selector does not match its pod template labels", d.Name)
		}
		pod := d.Spec.Template.Spec
		for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
			m.checkContainer(add, d.Name, c, secretExists)
		}
		for _, c := range pod.Containers {
			if c.LivenessProbe == nil || c.ReadinessProbe == nil {
				add("Deployment %s/%s: needs a liveness and a readiness probe", d.Name, c.Name)
			}
			for _, probe := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
				if probe != nil && probe.HTTPGet != nil && !hasPort(c, probe.HTTPGet.Port) {
					add("Deployment %s/%s: probe port %s is not a container port", d.Name, c.Name, probe.HTTPGet.Port.String())
				}
			}
		}
	}

	for _, s := range m.services {
		d := m.deploymentSelectedBy(s.Spec.Selector)
		if d == nil {
			add("Service %s: selector %v matches no Deployment", s.Name, s.Spec.Selector)
			continue
		}
		for _, port := range s.Spec.Ports {
			if !podHasPort(d, port.TargetPort) {
				add("Service %s: targetPort %s is not a port of Deployment %s", s.Name, port.TargetPort.String(), d.Name)
			}
		}
	}

	for _, ing := range m.ingresses {
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, path := range rule.HTTP.Paths {
				b := path.Backend.Service
				if b == nil {
					add("Ingress %s %s: no service backend", ing.Name, path.Path)
					continue
				}
				svc := m.service(b.Name)
				if svc == nil {
					add("Ingress %s %s: Service %s does not exist", ing.Name, path.Path, b.Name)
					continue
				}
				if !serviceHasPort(svc, b.Port.Name, b.Port.Number) {
					add("Ingress %s %s: Service %s has no port %q/%d", ing.Name, path.Path, b.Name, b.Port.Name, b.Port.Number)
				}
			}
		}
	}

	for _, h := range m.hpas {
		ref := h.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || m.deployment(ref.Name) == nil {
			add("HPA %s: target %s/%s does not exist", h.Name, ref.Kind, ref.Name)
		}
		if h.Spec.MinReplicas != nil && *h.Spec.MinReplicas > h.Spec.MaxReplicas {
			add("HPA %s: minReplicas above maxReplicas", h.Name)
		}
	}

	for _, pdb := range m.pdbs {
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || m.deploymentMatching(sel) == nil {
			add("PodDisruptionBudget %s: selector matches no Deployment", pdb.Name)
		}
	}
	return p
}

func (m *manifests) checkContainer(add func(string, ...any), owner string, c corev1.Container, secretExists func(string) bool) {
	r := c.Resources
	if r.Requests.Cpu().IsZero() || r.Requests.Memory().IsZero() || r.Limits.Memory().IsZero() {
		add("Deployment %s/%s: needs cpu and memory requests and a memory limit", owner, c.Name)
	}
	if c.Image == "" {
		add("Deployment %s/%s: no image", owner, c.Name)
	}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef != nil && !m.configMaps[from.ConfigMapRef.Name] {
			add("Deployment %s/%s: ConfigMap %s does not exist", owner, c.Name, from.ConfigMapRef.Name)
		}
		if from.SecretRef != nil && !secretExists(from.SecretRef.Name) {
			add("Deployment %s/%s: Secret %s does not exist", owner, c.Name, from.SecretRef.Name)
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		if ref := e.ValueFrom.SecretKeyRef; ref != nil {
			if !secretExists(ref.Name) {
				add("Deployment %s/%s: env %s: Secret %s does not exist", owner, c.Name, e.Name, ref.Name)
			} else if keys, ok := m.secretKeys[ref.Name]; ok && !keys[ref.Key] {
				add("Deployment %s/%s: env %s: Secret %s has no key %s", owner, c.Name, e.Name, ref.Name, ref.Key)
			}
		}
		if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil && !m.configMaps[ref.Name] {
			add("Deployment %s/%s: env %s: ConfigMap %s does not exist", owner, c.Name, e.Name, ref.Name)
		}
	}
}

func (m *manifests) deployment(name string) *appsv1.Deployment {
	for _, d := range m.deployments {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func (m *manifests) service(name string) *corev1.Service {
	for _, s := range m.services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func (m *manifests) deploymentSelectedBy(selector map[string]string) *appsv1.Deployment {
	if len(selector) == 0 {
		return nil
	}
	return m.deploymentMatching(labels.SelectorFromSet(selector))
}

func (m *manifests) deploymentMatching(sel labels.Selector) *appsv1.Deployment {
	for _, d := range m.deployments {
		if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			return d
		}
	}
	return nil
}

func hasPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

func podHasPort(d *appsv1.Deployment, port intstr.IntOrString) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		if hasPort(c, port) {
			return true
		}
	}
	return false
}

func serviceHasPort(s *corev1.Service, name string, number int32) bool {
	for _, p := range s.Spec.Ports {
		if (name != "" && p.Name == name) || (number != 0 && p.Port == number) {
			return true
		}
	}
	return false
}
