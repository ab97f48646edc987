// digits-svm playground: draw with mouse, finger or pen; the server preprocesses and predicts,
// and answers from the user's memory where it has been taught ("That was a ...").
//
// Coordinates are CSS pixels relative to the canvas, which the stroke format calls points
// (a CSS pixel is a UIKit point on an iPhone). "scale" is window.devicePixelRatio, the
// screen scale the app would render at.
"use strict";

(() => {
  const LINE_WIDTH = 5.0;          // pt, the app's default pen width
  const PEN_STOP_MS = 1000;        // recognise this long after the last pointerup, as the app does
  // The app draws a pen stroke force * 4 pt wide. Safari reports pressure = force /
  // maximumPossibleForce, and an Apple Pencil's maximumPossibleForce is about 4.17, so
  // force * 4 ~= pressure * 4.17 * 4. Only pen input sends a width; mouse and touch
  // draw at LINE_WIDTH, like a finger in the app.
  const PENCIL_MAX_FORCE = 4.17;
  const APP_WIDTH_PER_FORCE = 4;

  const $ = (sel) => document.querySelector(sel);
  const canvas = $("#pad");
  const ctx = canvas.getContext("2d");
  const result = $("#result");
  const digitOut = $("#digit");
  const probsBox = $("#probs");
  const gridBox = $("#grid");
  const timingOut = $("#timing");
  const errorBox = $("#error");
  const methodSelect = $("#method");
  const saveStatus = $("#save-status");
  const memoryNote = $("#memory-note");
  const teachButtons = $("#teach-buttons");
  const teachStatus = $("#teach-status");
  const memoryInfo = $("#memory-info");
  const memoryExport = $("#memory-export");
  const memoryClear = $("#memory-clear");
  const CLEAR_ARMED_MS = 4000;     // "Clear memory" asks for a second click within this time

  const strokes = [];              // [[[x, y] or [x, y, w], ...], ...]
  let current = null;              // the stroke being drawn
  let activePointer = null;        // one pointer draws at a time (palm, second finger ignored)
  let penStopTimer = null;
  let penUpAt = null;              // performance.now() of the last pointerup
  let requestSeq = 0;              // answers to older requests are ignored
  let info = null;
  let answered = false;            // an answer for the drawing on the pad is shown: it can be taught
  let clearArmedTimer = null;

  // ------------------------------------------------------------------ canvas
  function fitCanvas() {
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(rect.width * dpr);
    canvas.height = Math.round(rect.height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    redraw();
  }

  function widthOf(point) {
    return point.length > 2 ? point[2] : LINE_WIDTH;
  }

  function drawSegment(a, b) {
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    ctx.lineWidth = widthOf(b);
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  function drawStroke(stroke) {
    if (stroke.length === 1) drawSegment(stroke[0], stroke[0]);
    for (let i = 1; i < stroke.length; i++) drawSegment(stroke[i - 1], stroke[i]);
  }

  function redraw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    strokes.forEach(drawStroke);
  }

  function round2(v) {
    return Math.round(v * 100) / 100;
  }

  function pointOf(e) {
    const rect = canvas.getBoundingClientRect();
    const p = [round2(e.clientX - rect.left), round2(e.clientY - rect.top)];
    if (e.pointerType === "pen" && e.pressure > 0) {
      p.push(round2(e.pressure * PENCIL_MAX_FORCE * APP_WIDTH_PER_FORCE));
    }
    return p;
  }

  function addPoint(e) {
    const p = pointOf(e);
    const last = current[current.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) return;
    current.push(p);
    drawSegment(last || p, p);
  }

  // ------------------------------------------------------------------ pointer events
  canvas.addEventListener("pointerdown", (e) => {
    if (activePointer !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    activePointer = e.pointerId;
    try {
      canvas.setPointerCapture(e.pointerId);   // keep the stroke when the pen leaves the canvas
    } catch (err) {
      // a synthetic or already-released pointer cannot be captured; drawing still works
    }
    clearTimeout(penStopTimer);
    penStopTimer = null;
    current = [];
    strokes.push(current);
    addPoint(e);
    showError("");
    answered = false;              // the drawing changed: teach it once it is answered again
    enableTeaching();
  });

  canvas.addEventListener("pointermove", (e) => {
    if (e.pointerId !== activePointer) return;
    e.preventDefault();
    const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    (events.length ? events : [e]).forEach(addPoint);
  });

  function endStroke(e) {
    if (e.pointerId !== activePointer) return;
    e.preventDefault();
    activePointer = null;
    current = null;
    penUpAt = performance.now();
    clearTimeout(penStopTimer);
    penStopTimer = setTimeout(() => recognise("pen-stop"), PEN_STOP_MS);
  }
  canvas.addEventListener("pointerup", endStroke);
  canvas.addEventListener("pointercancel", endStroke);
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());

  // ------------------------------------------------------------------ server calls
  function pointCount() {
    return strokes.reduce((n, s) => n + s.length, 0);
  }

  function drawingBody() {
    return {
      strokes: strokes.filter((s) => s.length > 0),
      line_width: LINE_WIDTH,
      scale: window.devicePixelRatio || 2.0,
    };
  }

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = { error: `server answered ${response.status} without JSON` };
    }
    if (!response.ok) throw new Error((data && data.error) || `server answered ${response.status}`);
    return data;
  }

  async function recognise(trigger) {
    clearTimeout(penStopTimer);
    penStopTimer = null;
    if (pointCount() === 0) {
      showError("Draw a digit first.");
      return;
    }
    const seq = ++requestSeq;
    const sentAt = performance.now();
    const startedAt = trigger === "pen-stop" && penUpAt !== null ? penUpAt : sentAt;
    result.dataset.state = "pending";
    try {
      const body = drawingBody();
      body.method = methodSelect.value || undefined;
      const answer = await postJSON("/api/predict", body);
      if (seq !== requestSeq) return;
      showPrediction(answer);
      const now = performance.now();
      // Pen-up -> prediction on screen (includes the PEN_STOP_MS wait when the timer fired).
      result.dataset.latencyMs = (now - startedAt).toFixed(1);
      result.dataset.requestMs = (now - sentAt).toFixed(1);
      result.dataset.trigger = trigger;
      result.dataset.seq = String(seq);
      timingOut.textContent =
        `server: preprocess ${answer.timing_ms.preprocess.toFixed(1)} ms, predict ${answer.timing_ms.predict.toFixed(1)} ms; ` +
        `round trip ${(now - sentAt).toFixed(0)} ms` +
        (trigger === "pen-stop" ? `; pen-up to prediction ${(now - startedAt).toFixed(0)} ms` : "");
      result.dataset.state = "done";
      showError("");
    } catch (err) {
      if (seq !== requestSeq) return;
      result.dataset.state = "error";
      showError(err.message);
    }
  }

  async function saveSample(label) {
    if (pointCount() === 0) {
      showError("Draw a digit first, then save it.");
      return;
    }
    const body = drawingBody();
    body.label = label;
    try {
      const answer = await postJSON("/api/samples", body);
      saveStatus.textContent = `Saved as ${answer.label}: ${answer.saved} (${answer.count} samples of ${answer.label}).`;
      saveStatus.dataset.saved = answer.saved;
      showError("");
      clearAll();
    } catch (err) {
      showError(`Not saved: ${err.message}`);
    }
  }

  // ------------------------------------------------------------------ the memory
  async function teach(digit) {
    if (!answered || pointCount() === 0) {
      showError("Draw a digit and let it be recognised first, then say what it was.");
      return;
    }
    const body = drawingBody();    // no "method": the server uses the model's own preprocessing
    body.label = digit;
    try {
      const answer = await postJSON("/api/memory/add", body);
      const model = answer.model_said === digit
        ? "the model read it right"
        : `the model read ${digitName(answer.model_said)}`;
      teachStatus.textContent = `Remembered as ${digit} (${model}). Draw it again.` +
        (answer.forgotten ? ` The memory is full: its oldest drawing was forgotten.` : "");
      teachStatus.dataset.taught = String(digit);
      showMemory(answer.memory);
      showError("");
      clearAll();
    } catch (err) {
      showError(`Not remembered: ${err.message}`);
    }
  }

  function showMemory(memory) {
    info.memory = memory;
    const n = memory.samples;
    const perDigit = Object.entries(memory.per_digit).map(([d, k]) => `${d}: ${k}`).join(", ");
    const kept = memory.file
      ? `kept in ${memory.file}`
      : "kept while the playground runs (download it, or start with --memory FILE)";
    memoryInfo.textContent = n === 0
      ? `Your memory is empty; ${kept}.`
      : `Your memory: ${n} drawing${n === 1 ? "" : "s"} (${perDigit}), ${kept}` +
        (n >= memory.max_samples ? `; full (${memory.max_samples}): the oldest is forgotten first.` : ".");
    memoryInfo.dataset.samples = String(n);
    memoryExport.disabled = n === 0;
    disarmClear();
    memoryClear.disabled = n === 0;
    teachButtons.hidden = !memory.can_answer;
    if (!memory.can_answer) {
      teachStatus.textContent = "This model has no probabilities, so a memory cannot weigh its answers: " +
        "start the playground with a model trained with --preset app.";
    }
  }

  function enableTeaching() {
    teachButtons.querySelectorAll("button").forEach((b) => { b.disabled = !answered; });
  }

  async function exportMemory() {
    try {
      const answer = await postJSON("/api/memory/export", {});
      teachStatus.textContent = answer.exported === 0
        ? "The memory is empty: nothing was exported."
        : `Exported ${answer.exported} drawing${answer.exported === 1 ? "" : "s"} to ${answer.folder}/<digit>/; ` +
          `retrain with: ${answer.train}`;
      teachStatus.dataset.exported = String(answer.exported);
      showError("");
    } catch (err) {
      showError(`Not exported: ${err.message}`);
    }
  }

  function disarmClear() {
    clearTimeout(clearArmedTimer);
    clearArmedTimer = null;
    delete memoryClear.dataset.armed;
    memoryClear.textContent = "Clear memory";
  }

  async function clearMemory() {
    if (!memoryClear.dataset.armed) {  // a second click, within a few seconds, forgets
      memoryClear.dataset.armed = "true";
      memoryClear.textContent = `Forget ${info.memory.samples} drawing${info.memory.samples === 1 ? "" : "s"}?`;
      clearArmedTimer = setTimeout(disarmClear, CLEAR_ARMED_MS);
      return;
    }
    disarmClear();
    try {
      const answer = await postJSON("/api/memory/clear", {});
      showMemory(answer.memory);
      teachStatus.textContent = "Memory cleared.";
      showError("");
    } catch (err) {
      showError(`Not cleared: ${err.message}`);
    }
  }

  // ------------------------------------------------------------------ display
  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function formatValue(v) {
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }

  function buildGrid() {
    gridBox.textContent = "";
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const cell = document.createElement("div");
        cell.className = "cell";
        cell.setAttribute("role", "gridcell");
        cell.dataset.row = String(r);
        cell.dataset.col = String(c);
        gridBox.appendChild(cell);
      }
    }
    showGrid(null);
  }

  function showGrid(grid) {
    gridBox.querySelectorAll(".cell").forEach((cell) => {
      const v = grid ? grid[+cell.dataset.row][+cell.dataset.col] : 0;
      const a = Math.max(0, Math.min(1, v / 16));
      cell.dataset.value = String(v);
      cell.textContent = grid ? formatValue(v) : "";
      const g = Math.round(255 - a * (255 - 17));   // white (0) to ink (16)
      cell.style.background = `rgb(${g}, ${g}, ${g})`;
      cell.style.color = a > 0.5 ? "#fff" : "#111";
    });
  }

  function showProbabilities(probs, digit) {
    probsBox.textContent = "";
    if (!probs) {
      const note = document.createElement("span");
      note.className = "muted note";
      note.innerHTML = "this model has no probabilities (train with <code>--probability</code>)";
      probsBox.appendChild(note);
      return;
    }
    Object.keys(probs).sort((a, b) => +a - +b).forEach((k) => {
      const name = document.createElement("span");
      name.textContent = k === "-1" ? "not a digit" : k;
      const track = document.createElement("span");
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = `${(probs[k] * 100).toFixed(1)}%`;
      track.appendChild(bar);
      const pct = document.createElement("span");
      pct.textContent = `${(probs[k] * 100).toFixed(1)}%`;
      if (+k === digit) { name.className = "best"; pct.className = "best"; }
      pct.dataset.digit = k;
      probsBox.append(name, track, pct);
    });
  }

  function showPrediction(answer) {
    // digit null: "not a digit" (the model's own class -1, or the best digit below the threshold)
    const notADigit = answer.digit === null;
    digitOut.textContent = notADigit ? "not a digit" : String(answer.digit);
    digitOut.title = notADigit && answer.best_guess !== undefined
      ? `best guess ${answer.best_guess}, probability ${(answer.probability * 100).toFixed(0)}% ` +
        `(below ${(answer.min_confidence * 100).toFixed(0)}% or most like no digit)`
      : "";
    result.dataset.digit = notADigit ? "none" : String(answer.digit);
    result.dataset.method = answer.method;
    result.dataset.fromMemory = String(Boolean(answer.from_memory));
    result.dataset.modelDigit = answer.model_digit === null ? "none" : String(answer.model_digit);
    showMemoryNote(answer);
    showGrid(answer.grid);
    // the bars show the model's own probabilities: highlight the model's answer
    showProbabilities(answer.probabilities, answer.model_digit === null ? answer.label : answer.model_digit);
    answered = true;
    enableTeaching();
  }

  function digitName(d) {
    return d === null ? "not a digit" : String(d);
  }

  function showMemoryNote(answer) {
    let note = "";
    if (answer.from_memory) {
      note = answer.model_digit === answer.digit
        ? "from your memory (the model read it too)"
        : `from your memory (the model read ${digitName(answer.model_digit)})`;
    } else if (answer.memory && answer.memory.samples > 0 && !answer.memory.consulted && info && info.memory.can_answer) {
      note = `your memory was not asked: it holds drawings preprocessed with '${info.memory.method}'`;
    }
    memoryNote.textContent = note;
    memoryNote.hidden = !note;
  }

  function resetResult() {
    requestSeq++;
    answered = false;
    enableTeaching();
    digitOut.textContent = "–";
    memoryNote.textContent = "";
    memoryNote.hidden = true;
    delete result.dataset.digit;
    delete result.dataset.fromMemory;
    delete result.dataset.modelDigit;
    result.dataset.state = "idle";
    probsBox.textContent = "";
    timingOut.textContent = "";
    showGrid(null);
  }

  function clearAll() {
    clearTimeout(penStopTimer);
    penStopTimer = null;
    strokes.length = 0;
    current = null;
    activePointer = null;
    redraw();
    resetResult();
  }

  function undo() {
    clearTimeout(penStopTimer);
    penStopTimer = null;
    strokes.pop();
    redraw();
    answered = false;
    enableTeaching();
    if (pointCount() > 0) recognise("undo");
    else resetResult();
  }

  // ------------------------------------------------------------------ wiring
  $("#recognise").addEventListener("click", () => recognise("button"));
  $("#undo").addEventListener("click", undo);
  $("#clear").addEventListener("click", () => { clearAll(); showError(""); });
  methodSelect.addEventListener("change", () => { if (pointCount() > 0) recognise("method"); });
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "z") { e.preventDefault(); undo(); }
    else if (e.key === "Escape") clearAll();
  });

  const saveButtons = $("#save-buttons");
  for (let d = 0; d <= 9; d++) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "save";
    b.dataset.label = String(d);
    b.textContent = `Save as ${d}`;
    b.addEventListener("click", () => saveSample(d));
    saveButtons.appendChild(b);
  }

  for (let d = 0; d <= 9; d++) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.digit = String(d);
    b.textContent = String(d);
    b.title = `That was a ${d}: remember this drawing as ${d}`;
    b.setAttribute("aria-label", `That was a ${d}`);
    b.disabled = true;
    b.addEventListener("click", () => teach(d));
    teachButtons.appendChild(b);
  }
  memoryExport.addEventListener("click", exportMemory);
  memoryClear.addEventListener("click", clearMemory);

  async function loadInfo() {
    try {
      const response = await fetch("/api/info");
      info = await response.json();
      if (!response.ok) throw new Error(info.error || `server answered ${response.status}`);
      methodSelect.textContent = "";
      info.methods.forEach((m) => {
        const opt = document.createElement("option");
        opt.value = m;
        opt.textContent = m === info.default_method ? `${m} (model's)` : m;
        opt.selected = m === info.default_method;
        methodSelect.appendChild(opt);
      });
      $("#model-info").textContent =
        `${info.model || "model"}: classes ${info.classes.join(", ")}; ` +
        (info.has_probabilities ? "with probabilities" : "no probabilities") +
        `; samples go to ${info.samples}/<digit>/`;
      showMemory(info.memory);
      document.body.dataset.ready = "true";
    } catch (err) {
      showError(`Cannot read the model's info: ${err.message}`);
    }
  }

  buildGrid();
  window.addEventListener("resize", fitCanvas);
  fitCanvas();
  loadInfo();
})();
