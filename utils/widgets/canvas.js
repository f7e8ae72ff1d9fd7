
export default {
  render({ model, el }) {
    const wrap = document.createElement("div");
    wrap.className = "course-canvas-wrap";
    const canvas = document.createElement("canvas");
    canvas.className = "course-canvas";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label",
                        "drawing canvas: draw a digit with the mouse, a pen or a finger");
    // What to do without a pointer: shown under the buttons, and the canvas's description.
    const note = document.createElement("p");
    note.className = "course-canvas-note";
    note.id = `course-canvas-note-${Math.random().toString(36).slice(2)}`;
    canvas.setAttribute("aria-describedby", note.id);
    const ctx = canvas.getContext("2d");
    const buttons = document.createElement("div");
    buttons.className = "course-canvas-buttons";
    const button = (label, name, title) => {
      const node = document.createElement("button");
      node.type = "button";
      node.textContent = label;
      node.title = title;
      node.className = `jupyter-button widget-button ${name}`;
      buttons.appendChild(node);
      return node;
    };
    const undo = button("undo", "course-canvas-undo", "remove the last stroke");
    const clear = button("clear", "course-canvas-clear", "remove every stroke");
    wrap.append(canvas, buttons, note);
    el.appendChild(wrap);
    function describe() {
      note.textContent = model.get("keyboard_note");
      note.style.maxWidth = `${size()}px`;
    }

    let current = null;  // the stroke being drawn, [[x, y], ...] in canvas pixels
    let pointer = null;  // the id of the pointer drawing it
    const size = () => model.get("size");

    function ink() {
      const width = model.get("line_width");
      ctx.strokeStyle = "#ffffff";
      ctx.fillStyle = "#ffffff";
      ctx.lineWidth = width;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      return width;
    }
    function dot([x, y]) {
      const width = ink();
      ctx.beginPath();
      ctx.arc(x, y, width / 2, 0, 2 * Math.PI);
      ctx.fill();
    }
    function paint(stroke) {
      if (!stroke.length) return;
      if (stroke.length === 1) return dot(stroke[0]);
      ink();
      ctx.beginPath();
      ctx.moveTo(stroke[0][0], stroke[0][1]);
      for (const [x, y] of stroke.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
    function redraw() {
      ctx.fillStyle = "#000000";
      ctx.fillRect(0, 0, size(), size());
      const strokes = model.get("strokes");
      for (const stroke of strokes) paint(stroke);
      if (current) paint(current);
      undo.disabled = clear.disabled = strokes.length === 0;
    }
    function resize() {
      const side = size();
      const ratio = window.devicePixelRatio || 1;  // a sharp line on a high-density screen
      canvas.width = Math.round(side * ratio);
      canvas.height = Math.round(side * ratio);
      canvas.style.width = `${side}px`;
      canvas.style.height = `${side}px`;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      redraw();
    }
    // Canvas pixels, whatever size the page shows the canvas at, rounded to 0.1.
    function point(event) {
      const rect = canvas.getBoundingClientRect();
      const side = size();
      const scale = (offset, extent) =>
        Math.round(10 * Math.min(side, Math.max(0, (offset * side) / extent))) / 10;
      return [scale(event.clientX - rect.left, rect.width),
              scale(event.clientY - rect.top, rect.height)];
    }

    function start(event) {
      if (pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      pointer = event.pointerId;
      try {
        canvas.setPointerCapture(event.pointerId);  // keep the stroke when it leaves the canvas
      } catch (error) {}  // a pointer the browser no longer tracks: draw without capture
      current = [point(event)];
      dot(current[0]);
    }
    function move(event) {
      if (event.pointerId !== pointer || !current) return;
      event.preventDefault();
      const coalesced = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      ink();
      for (const each of coalesced.length ? coalesced : [event]) {
        const next = point(each);
        const last = current[current.length - 1];
        if (Math.hypot(next[0] - last[0], next[1] - last[1]) < 0.5) continue;
        ctx.beginPath();
        ctx.moveTo(last[0], last[1]);
        ctx.lineTo(next[0], next[1]);
        ctx.stroke();
        current.push(next);
      }
    }
    function finish(event) {
      if (event.pointerId !== pointer || !current) return;
      const stroke = current;
      current = null;
      pointer = null;
      if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
      model.set("strokes", [...model.get("strokes"), stroke]);
      model.save_changes();
    }
    function setStrokes(strokes) {
      model.set("strokes", strokes);
      model.save_changes();
    }

    canvas.addEventListener("pointerdown", start);
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("lostpointercapture", finish);
    undo.addEventListener("click", () => setStrokes(model.get("strokes").slice(0, -1)));
    clear.addEventListener("click", () => setStrokes([]));
    model.on("change:strokes", redraw);
    model.on("change:line_width", redraw);
    model.on("change:size", resize);
    model.on("change:size", describe);
    model.on("change:keyboard_note", describe);
    resize();
    describe();
    return () => {
      model.off("change:strokes", redraw);
      model.off("change:line_width", redraw);
      model.off("change:size", resize);
      model.off("change:size", describe);
      model.off("change:keyboard_note", describe);
    };
  },
};
