//! Apache httpd rules. Each reads one configuration tree's [`ApacheModel`].
//!
//! [`ApacheModel`]: crate::lang::apache::ApacheModel

pub mod ws301_apache_proxy_timeout;
pub mod ws302_apache_proxy_timeout_unset;
pub mod ws304_apache_directive_context;
pub mod ws305_apache_syntax;
pub mod ws306_apache_include_not_followed;

use crate::lang::apache::{ApacheModel, Route};

/// `<VirtualHost *:443>` or `the main server`.
pub(crate) fn scope_name(model: &ApacheModel, route: &Route) -> String {
    match route.vhost {
        Some(i) => format!("<VirtualHost {}>", model.vhosts[i].addr),
        None => "the main server".to_string(),
    }
}
