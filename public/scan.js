// `Scan with camera` on /buy and /sell, where the browser can (BarcodeDetector: Chrome on
// Android). Reads EAN-13, EAN-8, UPC-A, Code 128 and QR from the back camera; each read buzzes
// and beeps, then is typed into `Barcode` with an Enter, exactly as a USB scanner does, so the
// bill form adds it the same way. Nothing here runs where the detector is missing.
const button = document.getElementById("scan-camera");
if (button && "BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia) {
  button.hidden = false;
  button.addEventListener("click", scan);
}

async function scan() {
  const field = document.getElementById("barcode");
  const formats = ["ean_13", "ean_8", "upc_a", "code_128", "qr_code"];
  const supported = await BarcodeDetector.getSupportedFormats();
  const detector = new BarcodeDetector({ formats: formats.filter((f) => supported.includes(f)) });
  const dialog = document.createElement("dialog");
  dialog.className = "camera";
  dialog.setAttribute("aria-label", "Camera scanner");
  const video = document.createElement("video");
  video.setAttribute("playsinline", "");
  video.muted = true;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button secondary";
  close.textContent = "Done";
  dialog.append(video, close);
  document.body.append(dialog);
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch {
    dialog.remove();
    return;
  }
  video.srcObject = stream;
  await video.play();
  dialog.showModal();
  let open = true;
  let last = "";
  let lastAt = 0;
  const stop = () => {
    open = false;
    stream.getTracks().forEach((t) => t.stop());
    dialog.close();
    dialog.remove();
    field?.focus();
  };
  close.addEventListener("click", stop);
  dialog.addEventListener("cancel", stop);
  const tick = async () => {
    if (!open) return;
    try {
      const codes = await detector.detect(video);
      const code = codes[0]?.rawValue;
      const now = Date.now();
      // One read per code a second: a code held in view is not added over and over.
      if (code && field && (code !== last || now - lastAt > 1500)) {
        last = code;
        lastAt = now;
        feedback();
        field.value = code;
        field.dispatchEvent(new Event("input", { bubbles: true }));
        field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
      }
    } catch {
      // A frame the detector could not read: try the next one.
    }
    setTimeout(tick, 200);
  };
  tick();
}

function feedback() {
  navigator.vibrate?.(60);
  try {
    const audio = new AudioContext();
    const beep = audio.createOscillator();
    beep.frequency.value = 1200;
    beep.connect(audio.destination);
    beep.start();
    beep.stop(audio.currentTime + 0.08);
  } catch {
    // No sound where audio is not allowed.
  }
}
