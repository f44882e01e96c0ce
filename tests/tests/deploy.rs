//! The deployment files agree with the code: every Kubernetes Deployment runs its service's
//! binary on the port its configuration listens on, probes the gRPC service name the server
//! reports health for, and reads its database URL from the secret; the configuration files load.

use std::path::{Path, PathBuf};

use afregning_kit::config::ServiceConfig;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn kubernetes_manifests_match_each_service() {
    let kustomization = read(&deploy().join("kustomization.yaml"));
    for def in afregning_suite::SERVICES {
        let service = def.service;
        let file = format!("kubernetes/{service}.yaml");
        assert!(kustomization.contains(&file), "kustomization lists {file}");
        let manifest = read(&deploy().join(&file));
        let config = ServiceConfig::figment(service, Some(deploy().join("kubernetes/afregning.toml")))
            .extract::<ServiceConfig>()
            .unwrap_or_else(|e| panic!("kubernetes/afregning.toml for {service}: {e}"));
        let port = config.listen.port();
        assert!(config.listen.ip().is_unspecified(), "{service} listens for the cluster");
        for expected in [
            format!("command: [\"{service}\"]"),
            format!("containerPort: {port}"),
            format!("AFREGNING_{}_DATABASE_URL", service.to_uppercase()),
            format!("key: {service}-database-url"),
        ] {
            assert!(manifest.contains(&expected), "{file} has {expected}");
        }
        assert_eq!(
            manifest
                .matches(&format!("grpc: {{ port: {port}, service: {} }}", def.grpc_name))
                .count(),
            2,
            "{file}: readiness and startup probe the health of {}",
            def.grpc_name
        );
        let secret = read(&deploy().join("kubernetes/secret.example.yaml"));
        assert!(
            secret.contains(&format!("{service}-database-url:")),
            "the example secret has {service}'s URL"
        );
    }
}

#[test]
fn container_configuration_loads_for_every_service() {
    for def in afregning_suite::SERVICES {
        let config = ServiceConfig::figment(def.service, Some(deploy().join("afregning.container.toml")))
            .extract::<ServiceConfig>()
            .unwrap_or_else(|e| panic!("afregning.container.toml for {}: {e}", def.service));
        assert!(config.database_url.starts_with("postgres://"));
        assert!(
            !config.auth_tokens.is_empty(),
            "{} listens beyond loopback only with tokens",
            def.service
        );
        afregning_kit::auth::Authenticator::from_tokens(&config.auth_tokens).expect("valid tokens");
    }
    let compose = read(&deploy().join("compose.yaml"));
    for def in afregning_suite::SERVICES {
        assert!(compose.contains(&format!("command: [\"{}\"]", def.service)));
    }
}

#[test]
fn the_cockpit_is_deployed_as_finance_behind_its_health_path() {
    let kustomization = read(&deploy().join("kustomization.yaml"));
    assert!(kustomization.contains("kubernetes/cockpit.yaml"), "kustomization lists the cockpit");
    let manifest = read(&deploy().join("kubernetes/cockpit.yaml"));
    let compose = read(&deploy().join("compose.yaml"));
    for file in [&manifest, &compose] {
        assert!(file.contains(r#"["afregning-cockpit", "--listen", "0.0.0.0:8080"]"#));
        for (service, port) in [("visitation", 50051), ("settlement", 50052), ("budget", 50053)] {
            assert!(
                file.contains(&format!("AFREGNING_CLI_{}_URL", service.to_uppercase()))
                    && file.contains(&format!("http://{service}:{port}")),
                "the cockpit reaches {service}"
            );
        }
    }
    // Ready only while the services can be read; alive whatever they do, so an outage behind it
    // takes it out of rotation without restarting it.
    assert!(manifest.contains("readinessProbe:\n            httpGet: { path: /healthz, port: http }"));
    assert!(manifest.contains("livenessProbe:\n            httpGet: { path: /livez, port: http }"));
    assert!(manifest.contains("key: cockpit-token"));
    // The token the cockpit presents is finance's, in the secret's example as in compose's.
    let secret = read(&deploy().join("kubernetes/secret.example.yaml"));
    assert!(secret.contains("cockpit-token: change-me-finance-token-01") && secret.contains(r#""change-me-finance-token-01" = "finance""#));
    let config = ServiceConfig::figment("budget", Some(deploy().join("afregning.container.toml")))
        .extract::<ServiceConfig>()
        .expect("the container configuration");
    assert_eq!(
        config.auth_tokens.get("dev-token-finance-00000001").map(String::as_str),
        Some("finance")
    );
    assert!(compose.contains("AFREGNING_TOKEN: dev-token-finance-00000001"));
    assert!(
        compose.contains(r#"ports: ["127.0.0.1:8080:8080"]"#),
        "no login of its own: loopback only"
    );
}
