fn main() {
    println!("loanlint: CLI not written yet");
}
