//! The ingresses and load balancers of a run's manifests on the proxy model.

use std::path::PathBuf;
use std::sync::Arc;

use super::KubeFile;
use crate::proxy::ProxyModel;
use crate::proxy::wspaths::LazyWsPaths;

pub fn to_proxy(files: &[(PathBuf, Arc<KubeFile>)], paths: &LazyWsPaths<'_>) -> Vec<ProxyModel> {
    let _ = (files, paths);
    Vec::new()
}
