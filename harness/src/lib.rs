pub mod certs;
pub mod engines;
pub mod peers;
pub mod world;
