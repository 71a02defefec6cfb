//! The Kubernetes objects wslint reads, from a file's documents: Ingress
//! (`networking.k8s.io/v1`, and the `v1beta1`/`extensions/v1beta1` field
//! names), IngressClass, Service, GKE's BackendConfig and ingress-nginx's
//! controller ConfigMap. A `kind: List` is read item by item.

use std::sync::Arc;

use super::{KubeFile, Node};
use crate::proxy::Loc;
use crate::source::Span;

/// A value as written, where.
#[derive(Clone, Debug)]
pub struct Field {
    /// `None` when unknown (a template placeholder, `${VAR}`, an alias).
    pub value: Option<String>,
    /// The whole `key: value` entry.
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Meta {
    pub file: Arc<KubeFile>,
    /// `None` when a placeholder.
    pub name: Option<String>,
    /// A templated name as written (`{{ .Values.ws.name }}`), to match
    /// it with the same template elsewhere in the chart.
    pub name_template: Option<String>,
    pub namespace: Option<String>,
    /// `kind:` to the end of the document's first line of `metadata.name`.
    pub loc: Loc,
    pub annotations: Vec<(String, Field)>,
    /// A template inserts annotations wslint cannot see (`{{- toYaml
    /// .Values.annotations | nindent 4 }}` under `annotations:` or
    /// `metadata:`): an annotation that is absent may be set there.
    pub annotations_inserted: bool,
}

impl Meta {
    pub fn annotation(&self, key: &str) -> Option<&Field> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f)
    }

    /// The first annotation whose key starts with `prefix`.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.annotations.iter().any(|(k, _)| k.starts_with(prefix))
    }

    /// "`web`", "`{{ .Release.Name }}-web`" or "(unnamed)".
    pub fn display(&self) -> String {
        match (&self.name, &self.name_template) {
            (Some(n), _) | (None, Some(n)) => format!("`{n}`"),
            (None, None) => "(unnamed)".to_string(),
        }
    }

    /// Whether this object is the one `name` (or, when templated,
    /// `template`) names: a name as written, or the same template.
    pub fn is_named(&self, name: Option<&str>, template: Option<&str>) -> bool {
        match (name, template) {
            (Some(n), _) => self.name.as_deref() == Some(n),
            (None, Some(t)) => self.name_template.as_deref() == Some(t),
            (None, None) => false,
        }
    }

    /// Whether two objects may be in the same namespace: an absent
    /// namespace is the one `kubectl apply -n` or kustomize gives.
    pub fn same_namespace(&self, other: &Meta) -> bool {
        match (&self.namespace, &other.namespace) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

#[derive(Clone, Debug)]
pub enum PortRef {
    Number(u32),
    Name(String),
}

#[derive(Clone, Debug)]
pub struct Backend {
    /// `None` when a placeholder.
    pub service: Option<String>,
    /// A templated Service name as written, to find the Service templated
    /// the same way.
    pub service_template: Option<String>,
    pub port: Option<PortRef>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathType {
    Prefix,
    Exact,
    ImplementationSpecific,
}

#[derive(Clone, Debug)]
pub struct IngressPath {
    /// `None` when a placeholder; absent means `/` (ImplementationSpecific).
    pub path: Option<String>,
    pub path_type: PathType,
    pub backend: Option<Backend>,
    /// The path item.
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct IngressRule {
    pub host: Option<String>,
    pub paths: Vec<IngressPath>,
}

#[derive(Clone, Debug)]
pub struct Ingress {
    pub meta: Meta,
    /// `spec.ingressClassName`, then the `kubernetes.io/ingress.class`
    /// annotation.
    pub class: Option<Field>,
    pub default_backend: Option<Backend>,
    pub rules: Vec<IngressRule>,
}

#[derive(Clone, Debug)]
pub struct IngressClass {
    pub meta: Meta,
    pub controller: Option<String>,
    pub is_default: bool,
}

#[derive(Clone, Debug)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub meta: Meta,
    pub ports: Vec<ServicePort>,
}

#[derive(Clone, Debug)]
pub struct BackendConfig {
    pub meta: Meta,
    /// `spec.timeoutSec`.
    pub timeout: Option<Field>,
}

/// A ConfigMap that may be ingress-nginx's controller configuration.
#[derive(Clone, Debug)]
pub struct ConfigMap {
    pub meta: Meta,
    /// `data.proxy-read-timeout`.
    pub proxy_read_timeout: Option<Field>,
}

#[derive(Default, Debug)]
pub struct Objects {
    pub ingresses: Vec<Ingress>,
    pub classes: Vec<IngressClass>,
    pub services: Vec<Service>,
    pub backend_configs: Vec<BackendConfig>,
    pub config_maps: Vec<ConfigMap>,
}

impl Objects {
    pub fn read(&mut self, file: &Arc<KubeFile>) {
        for doc in &file.docs {
            self.object(file, doc);
        }
    }

    fn object(&mut self, file: &Arc<KubeFile>, doc: &Node) {
        let kind = doc.get("kind").and_then(Node::text).unwrap_or("");
        if kind == "List" {
            for item in doc.get("items").map(Node::items).unwrap_or(&[]) {
                self.object(file, item);
            }
            return;
        }
        if !matches!(
            kind,
            "Ingress" | "IngressClass" | "Service" | "BackendConfig" | "ConfigMap"
        ) {
            return;
        }
        let meta = meta(file, doc);
        let spec = doc.get("spec");
        match kind {
            "Ingress" => {
                let class = spec
                    .and_then(|s| s.entry("ingressClassName"))
                    .map(|(k, v)| field(file, k, v))
                    .or_else(|| meta.annotation("kubernetes.io/ingress.class").cloned());
                let default_backend = spec
                    .and_then(|s| s.get("defaultBackend").or_else(|| s.get("backend")))
                    .map(|b| backend(file, b));
                let rules = spec
                    .and_then(|s| s.get("rules"))
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .map(|r| IngressRule {
                        host: r.get("host").and_then(|h| known(file, h)),
                        paths: r
                            .at(&["http", "paths"])
                            .map(Node::items)
                            .unwrap_or(&[])
                            .iter()
                            .map(|p| ingress_path(file, p))
                            .collect(),
                    })
                    .collect();
                self.ingresses.push(Ingress {
                    meta,
                    class,
                    default_backend,
                    rules,
                });
            }
            "IngressClass" => {
                let is_default = meta
                    .annotation("ingressclass.kubernetes.io/is-default-class")
                    .and_then(|f| f.value.as_deref())
                    == Some("true");
                self.classes.push(IngressClass {
                    controller: spec
                        .and_then(|s| s.get("controller"))
                        .and_then(|c| known(file, c)),
                    meta,
                    is_default,
                });
            }
            "Service" => {
                let ports = spec
                    .and_then(|s| s.get("ports"))
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .map(|p| ServicePort {
                        name: p.get("name").and_then(|n| known(file, n)),
                        port: p
                            .get("port")
                            .and_then(|n| known(file, n))
                            .and_then(|n| n.parse().ok()),
                    })
                    .collect();
                self.services.push(Service { meta, ports });
            }
            "BackendConfig" => {
                let api = doc.get("apiVersion").and_then(Node::text).unwrap_or("");
                if !api.starts_with("cloud.google.com/") {
                    return;
                }
                self.backend_configs.push(BackendConfig {
                    timeout: spec
                        .and_then(|s| s.entry("timeoutSec"))
                        .map(|(k, v)| field(file, k, v)),
                    meta,
                });
            }
            "ConfigMap" => {
                let Some((k, v)) = doc.get("data").and_then(|d| d.entry("proxy-read-timeout"))
                else {
                    return;
                };
                self.config_maps.push(ConfigMap {
                    proxy_read_timeout: Some(field(file, k, v)),
                    meta,
                });
            }
            _ => {}
        }
    }
}

fn loc(file: &Arc<KubeFile>, span: Span) -> Loc {
    Loc::new(&file.source, span)
}

/// A scalar's text unless it is a placeholder or null.
fn known(file: &KubeFile, node: &Node) -> Option<String> {
    if file.is_placeholder(node) {
        return None;
    }
    node.text().map(str::to_string)
}

/// A templated scalar as written, quotes and whitespace normalised
/// (`{{- .Values.x }}` and `"{{ .Values.x }}"` are one template), or
/// `None` when it holds no placeholder.
fn template_text(file: &KubeFile, node: &Node) -> Option<String> {
    if !file.is_placeholder(node) || !matches!(node.value, super::yaml::Value::Scalar { .. }) {
        return None;
    }
    let raw = file.source.text.get(node.span.start..node.span.end)?;
    let raw = raw.trim().trim_matches(['"', '\'']);
    let words: Vec<&str> = raw.split_whitespace().collect();
    Some(
        words
            .join(" ")
            .replace("{{- ", "{{ ")
            .replace(" -}}", " }}"),
    )
}

/// The `key: value` entry as a field.
fn field(file: &Arc<KubeFile>, key: &Node, value: &Node) -> Field {
    let end = if value.span.end > key.span.end {
        value.span.end
    } else {
        key.span.end
    };
    Field {
        value: known(file, value),
        loc: loc(file, Span::new(key.span.start, end)),
    }
}

fn meta(file: &Arc<KubeFile>, doc: &Node) -> Meta {
    let m_entry = doc.entry("metadata");
    let m = m_entry.map(|(_, v)| v);
    let name_node = m.and_then(|m| m.get("name"));
    let annotations_inserted = m_entry.is_some_and(|(k, _)| file.inserts_into(k.span.start))
        || m.and_then(|m| m.entry("annotations"))
            .is_some_and(|(k, _)| file.inserts_into(k.span.start));
    let at = doc
        .entry("kind")
        .map(|(k, v)| Span::new(k.span.start, v.span.end))
        .unwrap_or(doc.span);
    let annotations = m
        .and_then(|m| m.get("annotations"))
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| Some((k.text()?.to_string(), field(file, k, v))))
        .collect();
    Meta {
        file: file.clone(),
        name: name_node.and_then(|n| known(file, n)),
        name_template: name_node.and_then(|n| template_text(file, n)),
        namespace: m
            .and_then(|m| m.get("namespace"))
            .and_then(|n| known(file, n)),
        loc: match name_node {
            Some(n) => loc(file, Span::new(n.span.start, n.span.end)),
            None => loc(file, at),
        },
        annotations,
        annotations_inserted,
    }
}

fn backend(file: &Arc<KubeFile>, b: &Node) -> Backend {
    // v1: `service: {name, port: {number | name}}`; v1beta1:
    // `serviceName`, `servicePort` (a number or a name).
    let name_node = b
        .get("service")
        .and_then(|s| s.get("name"))
        .or_else(|| b.get("serviceName"));
    let service_template = name_node.and_then(|n| template_text(file, n));
    let (service, port) = match b.get("service") {
        Some(s) => {
            let port = s.get("port").and_then(|p| {
                if let Some(n) = p.get("number").and_then(|n| known(file, n)) {
                    n.parse().ok().map(PortRef::Number)
                } else {
                    p.get("name")
                        .and_then(|n| known(file, n))
                        .map(PortRef::Name)
                }
            });
            (s.get("name").and_then(|n| known(file, n)), port)
        }
        None => {
            let port = b
                .get("servicePort")
                .and_then(|p| known(file, p))
                .map(|p| match p.parse() {
                    Ok(n) => PortRef::Number(n),
                    Err(_) => PortRef::Name(p),
                });
            (b.get("serviceName").and_then(|n| known(file, n)), port)
        }
    };
    Backend {
        service,
        service_template,
        port,
        loc: loc(file, b.span),
    }
}

fn ingress_path(file: &Arc<KubeFile>, p: &Node) -> IngressPath {
    let path_type = match p.get("pathType").and_then(Node::text) {
        Some("Prefix") => PathType::Prefix,
        Some("Exact") => PathType::Exact,
        _ => PathType::ImplementationSpecific,
    };
    let path = match p.get("path") {
        None => Some("/".to_string()),
        Some(n) => known(file, n),
    };
    // The item's first line: `- path: /ws`.
    let span = p
        .entry("path")
        .map(|(k, v)| Span::new(k.span.start, v.span.end))
        .unwrap_or(p.span);
    IngressPath {
        path,
        path_type,
        backend: p.get("backend").map(|b| backend(file, b)),
        loc: loc(file, span),
    }
}
