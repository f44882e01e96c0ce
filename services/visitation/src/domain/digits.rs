//! CPR and CVR numbers are stored (in grant snapshots and feed events) as their plain digits;
//! these read them back through their parsers, so a stored value is valid by construction too.

/// A CVR number as its 8 digits.
pub mod cvr {
    use afregning_tariff::Cvr;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the digits.
    pub fn serialize<S: Serializer>(cvr: &Cvr, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(cvr)
    }

    /// Reads and checks the digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Cvr, D::Error> {
        let text = String::deserialize(d)?;
        Cvr::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A CPR number as its 10 digits (personal data: only in stored snapshots that settlement may
/// receive, never in logs; `Cpr`'s `Debug` stays masked).
pub mod cpr {
    use afregning_tariff::Cpr;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the digits.
    pub fn serialize<S: Serializer>(cpr: &Cpr, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&cpr.expose())
    }

    /// Reads and checks the digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Cpr, D::Error> {
        let text = String::deserialize(d)?;
        Cpr::parse(&text).map_err(serde::de::Error::custom)
    }
}
