//! Generated gRPC code for Afregning's three services and their shared messages.
//!
//! Codegen lives here and nowhere else, so every service and client agrees on one set of types.
//! [`convert`] holds the wire ↔ domain conversions (dates, months, instants, course types, end
//! reasons, time bands), written once; [`terms`] reads a mirrored grant version as the tariff
//! prices it, for settlement's statements and budget's commitments alike.
//! [`FILE_DESCRIPTOR_SET`] is the encoded descriptor set that the services hand to
//! `tonic-reflection`, so `grpcurl` and other tools can discover the APIs at run time.

#![allow(missing_docs, clippy::all)]

/// Shared vocabulary: dates, periods, paging, unit kinds, course types, explanations.
pub mod common {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("afregning.common.v1");
    }
}

/// The authority's API, called by the municipal EHR.
pub mod visitation {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("afregning.visitation.v1");
    }
}

/// The providers' API: deliveries, settlement runs, statements, postings feed.
pub mod settlement {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("afregning.settlement.v1");
    }
}

/// Finance's API: frames, ledger, follow-up, reallocation, export and reconciliation.
pub mod budget {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("afregning.budget.v1");
    }
}

pub mod convert;
pub mod terms;

/// Encoded `FileDescriptorSet` of every Afregning proto, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/afregning_descriptor.bin"));
