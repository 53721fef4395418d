pub mod certs;
pub mod peers;
pub mod world;
