/**
 * What a call receives, measured: RMS (0..1) of the remote audio over the last ~170 ms, from an
 * AnalyserNode on the remote stream. The same scale as the Node engine's meter, so tests read both
 * the same way.
 *
 * Chromium only runs a WebAudio graph once its AudioContext is `running`; without a user gesture
 * (and without `--autoplay-policy=no-user-gesture-required` or Electron's default policy) it stays
 * `suspended`. Then `level()` returns null and the session falls back to the stats' audioLevel.
 */

/** 8192 samples at 48 kHz ≈ 170 ms — the "last ~200 ms" of MediaStats.inboundLevel. */
const WINDOW_SAMPLES = 8192;

export class LevelMeter {
  private readonly source: MediaStreamAudioSourceNode;
  private readonly analyser: AnalyserNode;
  private readonly buffer: Float32Array<ArrayBuffer>;

  constructor(
    private readonly context: AudioContext,
    stream: MediaStream,
  ) {
    this.source = context.createMediaStreamSource(stream);
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = WINDOW_SAMPLES;
    this.buffer = new Float32Array(new ArrayBuffer(WINDOW_SAMPLES * Float32Array.BYTES_PER_ELEMENT));
    // An AnalyserNode is pulled by Chromium even when nothing downstream listens: no output needed.
    this.source.connect(this.analyser);
  }

  /** RMS 0..1, or null while the context cannot run. */
  level(): number | null {
    if (this.context.state !== 'running') return null;
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (const sample of this.buffer) sum += sample * sample;
    return Math.sqrt(sum / this.buffer.length);
  }

  dispose(): void {
    this.source.disconnect();
    this.analyser.disconnect();
  }
}
