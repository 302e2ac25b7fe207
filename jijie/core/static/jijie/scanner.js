// The camera scanner every QR code of the app is read with (a gate's passes today; a
// store's, a test tube's, a post's check-in code later). Markup:
//
//   <div data-scanner data-target="id_token" data-msg-start="…" data-msg-stop="…"
//        data-msg-no-camera="…"></div>
//
// A tap on its button opens the rear camera and reads codes continuously: with the
// browser's own BarcodeDetector where it reads QR codes, else with jsQR (from npm,
// served by the app) on the video's frames. A code read puts its text in the target
// input, beeps, vibrates, and sends a "scanned" event (detail: {text}) from the
// container; the same code is not read again for three seconds. A hardware scanner
// that types into the input, or a code pasted, still works: this only adds the camera.
(function () {
  "use strict";
  var AGAIN_AFTER_MS = 3000;
  var FRAME_MS = 120;
  var MAX_WIDTH = 640;

  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      var audio = new Context();
      var tone = audio.createOscillator();
      var volume = audio.createGain();
      tone.frequency.value = 1200;
      volume.gain.value = 0.1;
      tone.connect(volume);
      volume.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.12);
      tone.onended = function () { audio.close(); };
    } catch (e) { /* no sound: the verdict still shows */ }
  }

  function detector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }).catch(function () { return null; });
  }

  function attach(box) {
    var target = document.getElementById(box.dataset.target);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary scanner-toggle";
    button.dataset.testid = "scan-camera";
    button.textContent = box.dataset.msgStart;
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    video.hidden = true;
    video.className = "scanner-video";
    var status = document.createElement("p");
    status.className = "scanner-status";
    status.setAttribute("role", "status");
    box.append(button, video, status);

    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null, timer = null, last = "", lastAt = 0, native = null, busy = false;

    function found(text) {
      var now = Date.now();
      if (!text || (text === last && now - lastAt < AGAIN_AFTER_MS)) return;
      last = text;
      lastAt = now;
      if (target) target.value = text;
      beep();
      if (navigator.vibrate) navigator.vibrate(120);
      box.dispatchEvent(new CustomEvent("scanned", { detail: { text: text }, bubbles: true }));
    }

    function read() {
      if (!stream || busy || video.readyState < 2) return;
      busy = true;
      var done = function () { busy = false; };
      if (native) {
        native.detect(video).then(function (codes) {
          if (codes.length) found(codes[0].rawValue);
        }).catch(function () {}).then(done);
        return;
      }
      var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR ? window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" }) : null;
      if (code) found(code.data);
      done();
    }

    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
      button.textContent = box.dataset.msgStart;
      box.classList.remove("scanning");
    }

    function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        status.textContent = box.dataset.msgNoCamera;
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (opened) {
          stream = opened;
          video.srcObject = stream;
          video.hidden = false;
          button.textContent = box.dataset.msgStop;
          box.classList.add("scanning");
          status.textContent = "";
          return Promise.all([video.play(), detector()]);
        })
        .then(function (found) {
          native = found ? found[1] : null;
          timer = setInterval(read, FRAME_MS);
        })
        .catch(function () {
          stop();
          status.textContent = box.dataset.msgNoCamera;
        });
    }

    button.addEventListener("click", function () { if (stream) stop(); else start(); });
    window.addEventListener("pagehide", stop);
  }

  document.querySelectorAll("[data-scanner]").forEach(attach);
})();
