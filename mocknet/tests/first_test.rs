use caspian_mocknet::caspian_reference::{CallOpts, NetError};
use caspian_mocknet::{Flags, MockNet, World};

#[test]
fn the_echo_answers_in_both_worlds() {
    for world in [World::Sim, World::Real] {
        let reply = MockNet::new(world, 7)
            .echo("echo.example.test", 7)
            .client(Flags::allow_net("echo.example.test:7"), |net| async move {
                let mut sock = net.tcp("echo.example.test", 7).await?;
                sock.send_all(b"hello\n").await?;
                let line = sock.recv_line(CallOpts::timeout(5.0)).await?;
                Ok::<_, NetError>(line)
            })
            .run()
            .unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(reply, &b"hello\n"[..], "{world}");
    }
}
