//! A Terraform module's load balancers on the proxy model.

use std::path::PathBuf;
use std::sync::Arc;

use super::TfFile;
use crate::proxy::ProxyModel;
use crate::proxy::loader::Loader;
use crate::proxy::wspaths::LazyWsPaths;

pub fn to_proxy(
    files: &[(PathBuf, Arc<TfFile>)],
    loader: &Loader<'_, TfFile>,
    paths: &LazyWsPaths<'_>,
) -> Vec<ProxyModel> {
    let _ = (files, loader, paths);
    Vec::new()
}
