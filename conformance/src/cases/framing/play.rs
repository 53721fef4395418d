//! Plays one scenario against an engine: a fresh peer and socket, every read checked against
//! the framing model, then the rest of the stream read to its end (nothing lost).
//!
//! The outcome is the same in both worlds: the peer writes a segment only after a go byte from
//! the engine, so a read the model expects to wait is made while the bytes it needs are
//! certainly not sent, and times out; every other read waits with the ok wait for bytes that
//! are on their way.

use crate::cases::support::connect;
use crate::contract::{CLASSES, CallOpts, Handle, Reply, Request, Value, Wait};
use crate::framing_model::{Answer, FramingModel, Read};
use crate::peers::{Peer, Step};
use crate::script::{Ctx, Failure, Plain, Script, show};
use crate::waits::Waits;

use super::scenario::{Action, Chunk, Profile, Scenario};

/// The byte the engine sends to release the peer's next segment.
const GO: &[u8] = b"+";

/// The most bytes one read of the final drain asks for.
const DRAIN_MAX_BYTES: usize = 64;

/// Plays `scenario` on a socket of `engine` to a fresh peer; the socket is closed afterwards.
pub async fn play(
    ctx: &Ctx,
    engine: &mut Script,
    scenario: &Scenario,
    profile: Profile,
) -> Result<(), Failure> {
    let waits = Waits::of(ctx);
    let segments = scenario.segments();
    let peer = ctx.peers.tcp(Peer::Script(peer_steps(&segments, waits))).await;
    let sock = connect(engine, &peer, waits).await?;
    let mut player =
        Player { engine, sock, waits, profile, segments, released: 0, model: FramingModel::new() };
    let outcome = player.run(&scenario.actions).await;
    let _ = player.engine.call(Request::close(sock)).await;
    outcome.map_err(Failure::new)
}

/// The peer's steps: each segment after a go byte, then, after one more, the end of the stream.
fn peer_steps(segments: &[Vec<Chunk>], waits: Waits) -> Vec<Step> {
    let mut steps = Vec::new();
    for segment in segments {
        steps.push(Step::Recv(GO.len()));
        for chunk in segment {
            steps.push(Step::Send(chunk.bytes.clone()));
            if chunk.pause > 0 {
                steps.push(Step::Pause(waits.dribble() * u32::from(chunk.pause)));
            }
        }
    }
    steps.extend([Step::Recv(GO.len()), Step::ShutdownWrite]);
    steps
}

/// A scenario under way: the engine's socket and what the model knows the peer has sent.
struct Player<'a> {
    engine: &'a mut Script,
    sock: Handle,
    waits: Waits,
    profile: Profile,
    segments: Vec<Vec<Chunk>>,
    /// Go bytes sent: segments released, plus one once the end is.
    released: usize,
    model: FramingModel,
}

impl Player<'_> {
    async fn run(&mut self, actions: &[Action]) -> Result<(), String> {
        for (index, action) in actions.iter().enumerate() {
            match *action {
                Action::Go => self.go().await?,
                Action::Read { read, brief } => self
                    .read(read, brief)
                    .await
                    .map_err(|e| format!("script step {}, {read}: {e}", index + 1))?,
            }
        }
        while self.released <= self.segments.len() {
            self.go().await?;
        }
        // Every byte is sent and the stream ended: recv must give the rest, then "". Each read
        // that passes the check consumes at least one byte until the last, so this ends.
        loop {
            let read = Read::Recv { max_bytes: DRAIN_MAX_BYTES };
            let at_end = self.model.unread().is_empty();
            self.read(read, true).await.map_err(|e| format!("reading to the end, {read}: {e}"))?;
            if at_end {
                return Ok(());
            }
        }
    }

    /// Releases the next segment, or the end of the stream; nothing once the end is released.
    async fn go(&mut self) -> Result<(), String> {
        if self.released > self.segments.len() {
            return Ok(());
        }
        let reply = self.engine.call(Request::send_all(self.sock, GO)).await;
        if let Err(raised) = reply {
            return Err(format!("send_all of a go byte raised {}", raised));
        }
        match self.segments.get(self.released) {
            Some(segment) => segment.iter().for_each(|chunk| self.model.sent(&chunk.bytes)),
            None => self.model.end(),
        }
        self.released += 1;
        Ok(())
    }

    /// Makes `read`, checks the reply against the model and consumes what it returned.
    async fn read(&mut self, read: Read, brief: bool) -> Result<(), String> {
        let answer = self.model.answer(read);
        let timeout = match answer {
            Answer::Timeout if brief => self.waits.brief(),
            Answer::Timeout => 0.0,
            _ => self.waits.ok(),
        };
        let reply = self.engine.call(request(self.sock, read, timeout)).await;
        let consumed = judge(&answer, &reply, self.profile)?;
        self.model.consume(consumed);
        Ok(())
    }
}

/// The request of `read` with `timeout` seconds.
fn request(sock: Handle, read: Read, timeout: f64) -> Request {
    let opts = CallOpts { timeout: Some(Wait::Seconds(timeout)), max_length: None };
    match read {
        Read::Recv { max_bytes } => Request::Recv { handle: sock, max_bytes: count(max_bytes), opts },
        Read::Line { max_length } => {
            Request::recv_line(sock, CallOpts { max_length: max_length.map(count), ..opts })
        }
        Read::Exact { n } => Request::recv_exact(sock, count(n), opts),
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// How many bytes `reply` consumed, when it is what `answer` allows.
fn judge(answer: &Answer, reply: &Reply, profile: Profile) -> Result<usize, String> {
    let agrees = match (answer, reply) {
        (Answer::Bytes(expected), Ok(Value::Bytes(got))) => got == expected,
        (Answer::Prefix(all), Ok(Value::Bytes(got))) => !got.is_empty() && all.starts_with(got),
        (Answer::Timeout, Err(raised)) => raised.class == "Timeout",
        (Answer::EndOfStream, Err(raised)) => raised.class == "EndOfStream",
        (Answer::LineTooLong, Err(raised)) => match profile {
            Profile::Mixed => CLASSES.contains(&raised.class.as_str()),
            Profile::LineTooLong => {
                raised.class == "ArgumentError" && raised.reason.as_deref() == Some("line_too_long")
            }
        },
        _ => false,
    };
    match reply {
        Ok(Value::Bytes(got)) if agrees => Ok(got.len()),
        _ if agrees => Ok(0),
        _ => Err(format!("expected {}, got {}", expected(answer, profile), got(reply))),
    }
}

/// What `answer` allows, in words.
fn expected(answer: &Answer, profile: Profile) -> String {
    match answer {
        Answer::Bytes(bytes) => show(bytes),
        Answer::Prefix(bytes) => format!("1 to {} bytes of {}", bytes.len(), show(bytes)),
        Answer::Timeout => "Timeout raised (the bytes it needs are not sent yet)".into(),
        Answer::EndOfStream => "EndOfStream raised".into(),
        Answer::LineTooLong => match profile {
            Profile::Mixed => "an exception (no newline within max_length)".into(),
            Profile::LineTooLong => "ArgumentError raised with reason line_too_long".into(),
        },
    }
}

/// What the engine answered, in words.
fn got(reply: &Reply) -> String {
    match reply {
        Ok(Value::Bytes(bytes)) => show(bytes),
        other => other.plain(),
    }
}
