//! Compiles the `.proto` contracts with protox (pure Rust, no system `protoc`) and generates the
//! tonic clients and servers. The encoded descriptor set is written next to the generated code so
//! the services can serve gRPC reflection.

use std::path::PathBuf;

use protox::prost::Message as _;

const PROTOS: &[&str] = &[
    "afregning/common/v1/common.proto",
    "afregning/visitation/v1/visitation.proto",
    "afregning/settlement/v1/settlement.proto",
    "afregning/budget/v1/budget.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);

    let fds = protox::compile(PROTOS, [&root])?;
    std::fs::write(out_dir.join("afregning_descriptor.bin"), fds.encode_to_vec())?;

    // Type names let the services find each message's descriptor, to check every text field of
    // a request at the edge.
    let mut config = tonic_prost_build::Config::new();
    config.enable_type_names();
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds_with_config(fds, config)?;

    println!("cargo:rerun-if-changed={}", root.display());
    Ok(())
}
