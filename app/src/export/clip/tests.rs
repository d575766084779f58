//! Tests of the clip encoder and our GIF writer.

use super::*;

const W: usize = 64;
const H: usize = 40;

/// A dark map with a square at `x` in `rgb`.
fn frame(x: usize, rgb: [u8; 3]) -> Vec<u8> {
    let mut px = vec![0u8; W * H * 4];
    for (i, p) in px.chunks_exact_mut(4).enumerate() {
        let (col, row) = (i % W, i / W);
        let inside = (x..x + 6).contains(&col) && (10..16).contains(&row);
        let shade = (20 + (col + row) % 8 * 4) as u8;
        p.copy_from_slice(&if inside { [rgb[0], rgb[1], rgb[2], 255] } else { [shade, shade + 2, shade + 5, 255] });
    }
    px
}

/// Every frame of a GIF composed, and each one's delay.
fn decode(bytes: &[u8]) -> (Vec<Vec<[u8; 3]>>, Vec<u16>) {
    let played = play_gif(bytes).expect("a GIF");
    (played.frames, played.delays)
}

fn close(a: [u8; 3], b: [u8; 4]) -> bool {
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 12)
}

#[test]
fn a_gif_plays_every_frame_in_order_with_its_delay_and_only_the_changes_after_the_first() {
    let frames =
        [frame(4, [230, 80, 70]), frame(12, [230, 80, 70]), frame(12, [230, 80, 70]), frame(30, [51, 115, 242])];
    let mut gif = GifClip::new(Vec::new(), W as u32, H as u32, vec![10, 10, 10, 10]);
    for (i, f) in frames.iter().enumerate() {
        gif.add(i, f).expect("encoded");
    }
    let bytes = gif.end().expect("finished");
    let (decoded, delays) = decode(&bytes);
    assert_eq!(delays, vec![10, 10, 10, 10]);
    assert_eq!(decoded.len(), 4);
    for (i, (got, want)) in decoded.iter().zip(&frames).enumerate() {
        let off = got.iter().zip(want.chunks_exact(4)).filter(|(g, w)| !close(**g, [w[0], w[1], w[2], w[3]])).count();
        assert_eq!(off, 0, "frame {i}: {off} pixels off");
    }
    // The second frame is the square's old and new place only; the third changed nothing.
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(bytes.as_slice()).expect("a GIF");
    let sizes: Vec<(u16, u16)> =
        std::iter::from_fn(|| decoder.read_next_frame().ok().flatten().map(|f| (f.width, f.height))).collect();
    assert_eq!(sizes, vec![(W as u16, H as u16), (14, 6), (1, 1), (24, 6)]);
}

#[test]
fn a_frame_of_the_wrong_size_is_an_error_not_a_panic() {
    let mut gif = GifClip::new(Vec::new(), W as u32, H as u32, vec![10]);
    let err = gif.add(0, &[0; 12]).expect_err("too small");
    assert!(err.to_string().contains("frame 0"), "{err}");
    assert!(GifClip::new(Vec::new(), 4, 4, vec![]).end().is_err());
}

#[test]
fn the_encoder_thread_writes_frames_that_come_out_of_order_and_renames_the_file_at_the_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clips").join("fight.gif");
    let mut enc = ClipEncoder::start(&path, W as u32, H as u32, 10, vec![10; 3]).expect("started");
    let tx = enc.sender().expect("open");
    for i in [2usize, 0, 1] {
        enc.asked();
        tx.send((i, frame(4 + 8 * i, [230, 80, 70]))).expect("sent");
    }
    drop(tx);
    let info = enc.finish().expect("written");
    assert_eq!((info.frames, info.path.clone()), (3, path.clone()));
    assert!(!partial_path(&path).exists());
    let (decoded, _) = decode(&std::fs::read(&path).expect("read"));
    // Frame 2 has the square furthest right.
    let red = |f: &Vec<[u8; 3]>| f.iter().position(|p| p[0] > 200).map(|i| i % W);
    assert_eq!(decoded.iter().map(red).collect::<Vec<_>>(), vec![Some(4), Some(12), Some(20)]);
}

#[test]
fn a_clip_the_renderer_gave_up_on_leaves_no_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cut.gif");
    let mut enc = ClipEncoder::start(&path, W as u32, H as u32, 10, vec![10; 5]).expect("started");
    enc.asked();
    enc.sender().expect("open").send((0, frame(4, [230, 80, 70]))).expect("sent");
    let err = enc.finish().expect_err("two frames short");
    assert!(format!("{err:#}").contains("after 1 of 5 frames"), "{err:#}");
    assert!(!path.exists() && !partial_path(&path).exists());
}

#[test]
fn an_encoder_that_failed_says_so_while_frames_are_still_to_come() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.gif");
    let mut enc = ClipEncoder::start(&path, W as u32, H as u32, 10, vec![10; 50]).expect("started");
    assert!(!enc.stopped(), "waiting for frames");
    enc.asked();
    // A frame of the wrong size (a failed read-back) ends the encoder at once.
    enc.sender().expect("open").send((0, vec![0; 12])).expect("sent");
    let started = std::time::Instant::now();
    while !enc.stopped() {
        assert!(started.elapsed().as_secs() < 10, "the encoder should have stopped");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let err = enc.finish().expect_err("failed");
    assert!(format!("{err:#}").contains("frame 0 has 12 bytes"), "{err:#}");
    assert!(!path.exists() && !partial_path(&path).exists());
}

#[test]
fn a_clip_is_a_gif_or_an_mp4_by_its_name() {
    assert_eq!(ClipFormat::of(Path::new("a/b.GIF")), Some(ClipFormat::Gif));
    assert_eq!(ClipFormat::of(Path::new("b.mp4")), Some(ClipFormat::Mp4));
    assert_eq!(ClipFormat::of(Path::new("b.png")), None);
    let err = ClipEncoder::start(Path::new("x.webm"), 8, 8, 10, vec![10]).err().expect("refused");
    assert!(err.to_string().contains(".gif or a .mp4"), "{err}");
}
