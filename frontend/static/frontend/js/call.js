// A meeting's video call ([data-call]): up to four browsers, each connected to each (a mesh of
// RTCPeerConnections), signalled over the tab's one websocket (socket.js). Plain ES module.
//
// Frames (docs/realtime.md, "Meeting rooms"): call.join → call.welcome (this tab's peer id and the
// ICE servers); call.joined / call.state / call.left about the others; call.signal carries one
// offer, answer or ICE candidate to one peer. Each pair negotiates with the "perfect negotiation"
// pattern: both sides may offer at any time; on a collision the polite one (the lower peer id)
// rolls back and answers, the impolite one ignores the other's offer. Collisions are rare: the
// peers already in the call offer to a newcomer (on its call.joined), and the newcomer waits for
// their offers; later changes (a new device, sharing a screen with no camera, an ICE restart) may
// come from either side.
//
// A tab that reloads joins again by itself (sessionStorage remembers that it was in the call and
// with which devices); a socket that reconnects joins again once its room is resumed. Every name
// from people is set with textContent. State for people and tests is on data attributes:
// [data-call-state] on the section, [data-connection] (RTCPeerConnection.connectionState),
// [data-camera], [data-mic] on each tile.

import { join, onStatus, send } from "./socket.js";

const STORE = "umkm.call.";
const RESTART_GIVE_UP_MS = 20000;
// A connection still not up after this long gets new ICE candidates (the impolite side first; the
// polite one after twice as long, so that the two seldom restart at once). Chromium sometimes
// gathers no candidate after rolling its offer back in a collision: this gets it going again.
const STALL_MS = 8000;
// A peer announced (call.state) whose offer has not come after this long: offer to it instead.
const OFFER_WAIT_MS = 4000;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function supported() {
  return Boolean(window.RTCPeerConnection && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

function stopTrack(track) {
  if (track) track.stop();
}

// One remote peer: its RTCPeerConnection, the perfect-negotiation flags, and its tile.
class PeerLink {
  constructor(call, peer, info) {
    this.call = call;
    this.peer = peer;
    this.polite = call.me < peer;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.restarted = 0;
    this.since = Date.now();
    this.queue = Promise.resolve();
    this.remote = new MediaStream();
    this.tile = call.tile(peer, info, false);
    this.video = this.tile.querySelector("video");
    this.video.srcObject = this.remote;
    const pc = new RTCPeerConnection({ iceServers: call.iceServers });
    this.pc = pc;
    this.senders = { audio: null, video: null };
    for (const kind of ["audio", "video"]) {
      const track = call.outgoing(kind);
      if (track) this.senders[kind] = pc.addTrack(track, call.stream);
      else this.senders[kind] = pc.addTransceiver(kind, { direction: "recvonly" }).sender;
    }
    pc.ontrack = ({ track }) => {
      this.remote.getTracks().filter((t) => t.kind === track.kind).forEach((t) => this.remote.removeTrack(t));
      this.remote.addTrack(track);
      this.play();
    };
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        call.signal(peer, { description: pc.localDescription });
      } catch (err) {
        console.warn("call: offer failed", err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) call.signal(peer, { candidate: candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => this.connectionChanged();
    // For people who look into a call that does not connect (and for the tests).
    pc.onsignalingstatechange = () => {
      this.tile.dataset.signaling = pc.signalingState;
    };
    pc.oniceconnectionstatechange = () => {
      this.tile.dataset.ice = pc.iceConnectionState;
    };
    this.tile.dataset.connection = pc.connectionState;
    this.watchdog = setInterval(() => this.unstall(), STALL_MS / 2);
  }

  unstall() {
    const pc = this.pc;
    if (pc.connectionState !== "new" && pc.connectionState !== "connecting") return;
    if (Date.now() - this.since < (this.polite ? 2 : 1) * STALL_MS || pc.signalingState !== "stable") return;
    this.since = Date.now();
    this.tile.dataset.restarts = String(Number(this.tile.dataset.restarts || 0) + 1);
    pc.restartIce(); // negotiationneeded: a new offer with new ICE credentials and candidates
  }

  connectionChanged() {
    const state = this.pc.connectionState;
    this.tile.dataset.connection = state;
    this.call.counted();
    if (state === "connected") this.restarted = 0;
    if (state === "failed") {
      // Try again with new candidates once; a peer that never comes back (its tab died without a
      // call.left) is dropped.
      if (this.restarted && Date.now() - this.restarted > RESTART_GIVE_UP_MS) {
        this.call.drop(this.peer);
        return;
      }
      this.restarted = this.restarted || Date.now();
      this.pc.restartIce();
    }
  }

  play() {
    const attempt = this.video.play();
    if (attempt && attempt.catch) {
      attempt.catch(() => {
        // Sound may not start without a click (autoplay rules): offer one.
        if (this.tile.querySelector(".call-play")) return;
        const button = el("button", "btn btn-small call-play", this.call.t.tPlay);
        button.type = "button";
        button.addEventListener("click", () => {
          this.video.play().catch(() => {});
          button.remove();
        });
        this.tile.append(button);
      });
    }
  }

  receive(data) {
    this.tile.dataset.received = String(Number(this.tile.dataset.received || 0) + 1);
    // One signal at a time, in order: each step awaits the one before.
    this.queue = this.queue.then(() => this.handle(data)).catch((err) => console.warn("call: signal failed", err));
  }

  async handle({ description, candidate }) {
    const pc = this.pc;
    if (description) {
      const collision = description.type === "offer" && (this.makingOffer || pc.signalingState !== "stable");
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      await pc.setRemoteDescription(description);
      if (description.type === "offer") {
        await pc.setLocalDescription();
        this.call.signal(this.peer, { description: pc.localDescription });
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (err) {
        if (!this.ignoreOffer) throw err;
      }
    }
  }

  async replace(kind, track) {
    const sender = this.senders[kind];
    if (!sender) return;
    await sender.replaceTrack(track);
    const transceiver = this.pc.getTransceivers().find((t) => t.sender === sender);
    if (track && transceiver && transceiver.direction === "recvonly") {
      transceiver.direction = "sendrecv"; // renegotiates (negotiationneeded)
      sender.setStreams?.(this.call.stream);
    }
  }

  close() {
    clearInterval(this.watchdog);
    this.pc.onconnectionstatechange = null;
    this.pc.close();
    this.tile.remove();
  }
}

class Call {
  constructor(root) {
    this.root = root;
    this.t = root.dataset;
    this.room = root.dataset.room;
    this.key = STORE + root.dataset.meeting;
    this.me = null;
    this.want = false;
    this.rejoin = false;
    this.iceServers = [];
    this.links = new Map(); // peer id -> PeerLink
    this.infos = new Map(); // peer id -> { name, side, mic, camera, screen }
    this.stream = new MediaStream(); // what this tab sends: its microphone and camera (or screen)
    this.audio = null;
    this.camera = null;
    this.screen = null;
    this.micOn = true;
    this.cameraOn = true;
    this.devices = { audio: "", video: "" };
    this.find();
    if (!supported()) {
      this.setState("unsupported");
      this.unsupported.hidden = false;
      this.prejoin.hidden = true;
      return;
    }
    this.wire();
    join(this.room, (frame) => this.handle(frame));
    let was = "idle";
    onStatus((state) => {
      // The socket was lost: once its room is resumed, this tab takes its seat again.
      if (was === "open" && state !== "open") this.rejoin = this.want;
      was = state;
      this.root.dataset.socket = state;
    });
    const saved = this.saved();
    if (saved) {
      // Back after a reload: into the call again with the same choices, without asking.
      this.micOn = saved.mic !== false;
      this.cameraOn = saved.camera !== false;
      this.devices = { audio: saved.audio || "", video: saved.video || "" };
      this.start().then(() => this.enter());
    } else {
      this.start();
    }
  }

  find() {
    const q = (name) => this.root.querySelector(`[data-call-${name}]`);
    this.unsupported = q("unsupported");
    this.prejoin = q("prejoin");
    this.preview = q("preview");
    this.previewOff = q("preview-off");
    this.cameraSelect = q("camera");
    this.micSelect = q("mic");
    this.startCamera = q("start-camera");
    this.startMic = q("start-mic");
    this.message = q("message");
    this.stage = q("stage");
    this.stageMessage = q("stage-message");
    this.grid = q("grid");
    this.alone = q("alone");
    this.rejoinBox = q("rejoin");
    this.meter = q("meter");
    this.devicesBox = q("devices");
  }

  setState(state) {
    this.root.dataset.callState = state;
  }

  saved() {
    try {
      return JSON.parse(sessionStorage.getItem(this.key) || "null");
    } catch (_err) {
      return null;
    }
  }

  remember() {
    try {
      const choice = { mic: this.micOn, camera: this.cameraOn, ...this.devices };
      sessionStorage.setItem(this.key, JSON.stringify(choice));
    } catch (_err) {
      // Private mode: a reload then asks again.
    }
  }

  forget() {
    try {
      sessionStorage.removeItem(this.key);
    } catch (_err) {
      // nothing stored
    }
  }

  // --- Devices -------------------------------------------------------------------------------

  async getTrack(kind) {
    const id = this.devices[kind];
    const constraints = kind === "audio"
      ? { audio: id ? { deviceId: { exact: id } } : true }
      : { video: id ? { deviceId: { exact: id }, width: { ideal: 1280 }, height: { ideal: 720 } } : { width: { ideal: 1280 }, height: { ideal: 720 } } };
    try {
      const media = await navigator.mediaDevices.getUserMedia(constraints);
      return media.getTracks()[0] || null;
    } catch (err) {
      if (id && err && err.name === "OverconstrainedError") {
        this.devices[kind] = ""; // the remembered device is gone: take the default
        return this.getTrack(kind);
      }
      return null;
    }
  }

  async start() {
    this.setState("checking");
    const [audio, camera] = await Promise.all([this.getTrack("audio"), this.getTrack("video")]);
    this.audio = audio;
    this.camera = camera;
    this.rebuildStream();
    this.applyToggles();
    await this.listDevices();
    if (!audio && !camera) this.say(this.message, this.t.tNoDevices);
    else if (!camera) this.say(this.message, this.t.tNoCamera);
    if (audio) this.watchLevel(audio);
    this.preview.srcObject = this.stream;
    if (this.root.dataset.callState === "checking") this.setState("prejoin");
  }

  rebuildStream() {
    this.stream.getTracks().forEach((t) => this.stream.removeTrack(t));
    const video = this.outgoing("video");
    if (this.audio) this.stream.addTrack(this.audio);
    if (video) this.stream.addTrack(video);
  }

  outgoing(kind) {
    if (kind === "audio") return this.audio;
    return this.screen || this.camera;
  }

  async listDevices() {
    let devices = [];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch (_err) {
      return;
    }
    const fill = (select, kind, track, label) => {
      const found = devices.filter((d) => d.kind === kind);
      const current = track ? track.getSettings().deviceId : "";
      select.replaceChildren(
        ...found.map((d, i) => {
          const option = el("option", "", d.label || `${label} ${i + 1}`);
          option.value = d.deviceId;
          option.selected = d.deviceId === current;
          return option;
        }),
      );
      select.disabled = found.length < 2;
    };
    fill(this.cameraSelect, "videoinput", this.camera, this.t.tCamera);
    fill(this.micSelect, "audioinput", this.audio, this.t.tMicrophone);
  }

  async switchDevice(kind, id) {
    this.devices[kind] = id;
    const track = await this.getTrack(kind);
    if (!track) return;
    if (kind === "audio") {
      stopTrack(this.audio);
      this.audio = track;
      this.watchLevel(track);
    } else {
      stopTrack(this.camera);
      this.camera = track;
    }
    this.applyToggles();
    this.rebuildStream();
    if (kind === "audio" || !this.screen) {
      await Promise.all([...this.links.values()].map((link) => link.replace(kind, track)));
    }
    if (this.want) this.remember();
  }

  watchLevel(track) {
    // The microphone check: a bar that moves with the voice, while the check is on screen.
    if (!window.AudioContext || !this.meter) return;
    try {
      if (this.level) this.level.close();
      const context = new AudioContext();
      this.level = context;
      const analyser = context.createAnalyser();
      analyser.fftSize = 256;
      context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      const data = new Uint8Array(analyser.frequencyBinCount);
      const draw = () => {
        if (this.level !== context || this.root.dataset.callState === "in-call") return;
        analyser.getByteFrequencyData(data);
        const peak = Math.max(...data) / 255;
        this.meter.dataset.level = String(Math.round(peak * 10));
        requestAnimationFrame(draw);
      };
      draw();
    } catch (_err) {
      // No meter; the call works without it.
    }
  }

  applyToggles() {
    if (this.audio) this.audio.enabled = this.micOn;
    if (this.camera) this.camera.enabled = this.cameraOn;
    this.startMic.checked = this.micOn;
    this.startCamera.checked = this.cameraOn;
    this.previewOff.hidden = this.cameraOn && Boolean(this.camera);
    const micButton = this.root.querySelector("[data-call-toggle-mic]");
    const cameraButton = this.root.querySelector("[data-call-toggle-camera]");
    micButton.setAttribute("aria-pressed", String(this.micOn));
    micButton.disabled = !this.audio;
    cameraButton.setAttribute("aria-pressed", String(this.cameraOn));
    cameraButton.disabled = !this.camera;
    const mine = this.grid.querySelector("[data-self]");
    if (mine) {
      mine.dataset.camera = this.cameraOn || this.screen ? "on" : "off";
      if (!this.camera && !this.screen) mine.dataset.camera = "off";
      mine.dataset.mic = this.micOn && this.audio ? "on" : "off";
    }
  }

  // --- The call --------------------------------------------------------------------------------

  wire() {
    const on = (name, fn) => this.root.querySelector(`[data-call-${name}]`)?.addEventListener("click", fn);
    on("join", () => this.enter());
    on("rejoin-button", () => this.enter());
    on("leave", () => this.leave());
    on("toggle-mic", () => this.toggle("mic"));
    on("toggle-camera", () => this.toggle("camera"));
    on("share", () => (this.screen ? this.stopShare() : this.share()));
    on("settings", (event) => {
      const open = this.devicesBox.classList.toggle("is-open");
      event.currentTarget.setAttribute("aria-expanded", String(open));
    });
    this.startMic.addEventListener("change", () => {
      this.micOn = this.startMic.checked;
      this.applyToggles();
    });
    this.startCamera.addEventListener("change", () => {
      this.cameraOn = this.startCamera.checked;
      this.applyToggles();
    });
    this.cameraSelect.addEventListener("change", () => this.switchDevice("video", this.cameraSelect.value));
    this.micSelect.addEventListener("change", () => this.switchDevice("audio", this.micSelect.value));
    window.addEventListener("pagehide", () => {
      // The server also notices the socket going; this tells the others a moment sooner.
      if (this.want) send({ type: "call.leave", room: this.room });
    });
  }

  enter() {
    this.want = true;
    this.remember();
    this.setState("joining");
    this.prejoin.hidden = true;
    this.rejoinBox.hidden = true;
    this.stage.hidden = false;
    this.devicesBox.classList.remove("is-open");
    this.stage.querySelector(".call-controls").before(this.devicesBox);
    if (!this.grid.querySelector("[data-self]")) {
      const mine = this.tile("self", { name: this.t.tYou, side: this.root.dataset.side }, true);
      mine.querySelector("video").srcObject = this.stream;
    }
    this.applyToggles();
    this.sendJoin();
  }

  sendJoin() {
    this.rejoin = false;
    send({ type: "call.join", room: this.room, mic: this.micOn && Boolean(this.audio), camera: this.cameraOn && Boolean(this.camera) });
  }

  leave() {
    this.want = false;
    this.forget();
    send({ type: "call.leave", room: this.room });
    this.links.forEach((link) => link.close());
    this.links.clear();
    this.me = null;
    this.stopShare(false);
    this.stage.hidden = true;
    this.rejoinBox.hidden = false;
    this.setState("left");
    this.counted();
  }

  announce() {
    if (!this.want || this.me === null) return;
    send({
      type: "call.state",
      room: this.room,
      mic: this.micOn && Boolean(this.audio),
      camera: (this.cameraOn && Boolean(this.camera)) || Boolean(this.screen),
      screen: Boolean(this.screen),
    });
  }

  toggle(what) {
    if (what === "mic") this.micOn = !this.micOn;
    else this.cameraOn = !this.cameraOn;
    this.applyToggles();
    this.remember();
    this.announce();
  }

  async share() {
    let track = null;
    try {
      const media = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      track = media.getVideoTracks()[0];
    } catch (_err) {
      this.say(this.stageMessage, this.t.tShareFailed);
      return;
    }
    if (!track) return;
    this.screen = track;
    track.addEventListener("ended", () => this.stopShare());
    await this.sendVideo();
    this.root.querySelector("[data-call-share]").setAttribute("aria-pressed", "true");
  }

  async stopShare(announce = true) {
    if (!this.screen) return;
    stopTrack(this.screen);
    this.screen = null;
    this.root.querySelector("[data-call-share]").setAttribute("aria-pressed", "false");
    if (announce) await this.sendVideo();
  }

  async sendVideo() {
    const track = this.outgoing("video");
    this.rebuildStream();
    this.applyToggles();
    await Promise.all([...this.links.values()].map((link) => link.replace("video", track)));
    this.announce();
  }

  signal(to, data) {
    const link = this.links.get(to);
    if (link) link.tile.dataset.sent = String(Number(link.tile.dataset.sent || 0) + 1);
    send({ type: "call.signal", room: this.room, to, data });
  }

  link(peer) {
    let link = this.links.get(peer);
    if (!link) {
      link = new PeerLink(this, peer, this.infos.get(peer) || {});
      this.links.set(peer, link);
      if (this.infos.has(peer)) this.describe(peer, this.infos.get(peer));
      this.counted();
    }
    return link;
  }

  awaitOffer(peer) {
    // A peer already in the call, announced to this newcomer: its offer is on the way. Should it
    // not come (the peer missed this tab's call.joined), this tab offers itself.
    setTimeout(() => {
      if (this.want && this.me !== null && this.infos.has(peer) && !this.links.has(peer)) this.link(peer);
    }, OFFER_WAIT_MS);
  }

  drop(peer) {
    const link = this.links.get(peer);
    if (link) link.close();
    this.links.delete(peer);
    this.infos.delete(peer);
    this.counted();
  }

  counted() {
    const connected = [...this.links.values()].filter((l) => l.pc.connectionState === "connected").length;
    this.root.dataset.peers = String(this.links.size);
    this.root.dataset.connected = String(connected);
    this.alone.hidden = this.links.size > 0;
  }

  handle(frame) {
    switch (frame.type) {
      case "history":
        // The room was entered (again, after a reconnect): take this tab's seat in the call again.
        if (this.want && this.rejoin) this.sendJoin();
        break;
      case "call.welcome":
        // A new seat: connections made under an old peer id are dead to the others.
        this.links.forEach((link) => link.close());
        this.links.clear();
        this.infos.clear();
        this.me = frame.peer;
        this.iceServers = Array.isArray(frame.ice_servers) ? frame.ice_servers : [];
        this.root.dataset.peer = String(frame.peer);
        this.setState("in-call");
        this.counted();
        this.announce();
        break;
      case "call.joined":
      case "call.state":
        if (this.me === null || frame.peer === this.me || !this.want) break;
        this.infos.set(frame.peer, frame);
        if (frame.type === "call.joined") {
          // Someone new: this tab connects to them (and offers), and tells them how its
          // microphone and camera are. The newcomer waits for the offers: no collision.
          this.link(frame.peer);
          this.announce();
        } else if (!this.links.has(frame.peer)) {
          this.awaitOffer(frame.peer);
        }
        this.describe(frame.peer, frame);
        break;
      case "call.signal":
        if (this.me === null || !this.want || typeof frame.from !== "number") break;
        this.link(frame.from).receive(frame.data || {});
        break;
      case "call.left":
        this.drop(frame.peer);
        break;
      case "error":
        this.failed(frame);
        break;
      default:
        break;
    }
  }

  failed(frame) {
    if (!frame.code) return;
    console.warn("call: refused", frame.code, frame.message);
    if (frame.code === "call_not_joined" && this.want) {
      this.sendJoin(); // the server lost this tab's seat (it restarted): take one again
      return;
    }
    if (["call_closed", "call_full", "room_not_found", "room_not_joined", "peer_invalid"].includes(frame.code)) {
      if (frame.code === "peer_invalid") return; // that peer just left
      this.want = false;
      this.forget();
      this.links.forEach((link) => link.close());
      this.links.clear();
      this.stage.hidden = true;
      this.rejoinBox.hidden = false;
      this.setState("refused");
      this.say(this.rejoinBox.querySelector("p"), frame.message);
    }
  }

  tile(peer, info, self) {
    const figure = el("figure", "call-tile");
    figure.dataset.peer = String(peer);
    if (self) figure.dataset.self = "";
    else figure.dataset.remote = "";
    figure.dataset.camera = "on";
    figure.dataset.mic = "on";
    const video = el("video");
    video.autoplay = true;
    video.playsInline = true;
    if (self) video.muted = true;
    const off = el("div", "call-tile-off");
    off.append(el("span", "call-avatar", "?"), el("span", "call-off-text", this.t.tCameraOff));
    const caption = el("figcaption", "call-caption");
    caption.append(
      el("span", "call-name", ""),
      el("span", "badge call-side", ""),
      el("span", "call-muted", this.t.tMuted),
      el("span", "call-sharing", this.t.tSharing),
      el("span", "call-connecting", this.t.tConnecting),
    );
    figure.append(video, off, caption);
    if (self) this.grid.prepend(figure);
    else this.grid.append(figure);
    this.fill(figure, info);
    return figure;
  }

  fill(figure, info) {
    const name = info.name || "…";
    figure.querySelector(".call-name").textContent = name;
    figure.querySelector(".call-avatar").textContent = name.trim().charAt(0).toUpperCase() || "?";
    const sides = { vendor: this.t.tVendor, buyer: this.t.tBuyer, organiser: this.t.tOrganiser };
    const side = figure.querySelector(".call-side");
    side.textContent = sides[info.side] || "";
    side.hidden = !sides[info.side];
    if (info.side) side.className = `badge call-side badge-${info.side}`;
  }

  describe(peer, info) {
    const link = this.links.get(peer);
    if (!link) return;
    this.fill(link.tile, info);
    link.tile.dataset.camera = info.camera === false ? "off" : "on";
    link.tile.dataset.mic = info.mic === false ? "off" : "on";
    link.tile.dataset.screen = info.screen ? "on" : "off";
  }

  say(node, text) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }
}

document.querySelectorAll("[data-call]").forEach((root) => new Call(root));
