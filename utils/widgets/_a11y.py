"""Names a screen reader announces for the ipywidgets controls of the course's widgets.

Plumbing shared by the widgets, not a lesson's API. ipywidgets 8 names its
text boxes and drop-downs by their ``description`` (a ``<label for=...>``),
but not the rest: a slider's handle (``role="slider"``) and the box that
shows its value, and the icon-only buttons of a ``Play``, are announced with
no name at all, and a ``ToggleButtons`` does not say which button is on.
:class:`AccessibleNames` is an invisible helper that a widget puts last in
its layout: in the browser it gives those elements of the layout it sits in
their names (and keeps them when ipywidgets redraws them):

- a slider handle: the slider's ``tooltip`` if it has one, else its
  ``description``; the two handles of a range slider add "lower end" and
  "upper end"; the value box beside it is a text box named "<name>: value";
- a ``Play``'s buttons: "play" (or "pause" while it plays), "stop" and
  "repeat" (pressed or not);
- a ``ToggleButtons``: a group named by its ``tooltip`` or ``description``,
  each button pressed or not;
- a caption with the CSS class ``course-live`` (the widget's reading in
  words): a polite live region (``role="status"``), so that a screen reader
  reads it out when a key changes it.

It also keeps JupyterLab's notebook shortcuts off a focused slider handle or
drop-down (``data-lm-suppress-shortcuts``): without it, ArrowUp and ArrowDown
there move the notebook to the next cell instead of changing the control.

Nothing of ipywidgets is changed; the helper only sets ARIA attributes on
the page. Its script is written out below (nothing is loaded from the network).
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets

_ESM = r"""
const PLAY_NAMES = {"fa-play": "play", "fa-pause": "pause", "fa-stop": "stop",
                    "fa-retweet": "repeat", "fa-repeat": "repeat"};

function put(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}
// The name a control's label gives: its tooltip (the label's title) or its text.
function labelOf(control) {
  const label = control.querySelector(":scope > .widget-label");
  if (!label) return "";
  return (label.title || label.textContent || "").trim();
}
function nameControls(root) {
  for (const slider of root.querySelectorAll(".widget-slider")) {
    const name = labelOf(slider);
    if (!name) continue;
    const handles = slider.querySelectorAll(".noUi-handle");
    handles.forEach((handle, index) => {
      const end = handles.length === 1 ? "" : index === 0 ? ", lower end" : ", upper end";
      put(handle, "aria-label", name + end);
      put(handle, "data-lm-suppress-shortcuts", "true");
    });
    const readout = slider.querySelector(":scope > .widget-readout");
    if (readout) {
      put(readout, "role", "textbox");
      put(readout, "aria-label", `${name}: value`);
    }
  }
  for (const button of root.querySelectorAll(".widget-play > button")) {
    const icon = button.querySelector("i");
    const key = icon && Object.keys(PLAY_NAMES).find((each) => icon.classList.contains(each));
    if (key) put(button, "aria-label", PLAY_NAMES[key]);
    if (key === "fa-retweet" || key === "fa-repeat") {
      put(button, "aria-pressed", String(button.classList.contains("mod-active")));
    }
  }
  for (const menu of root.querySelectorAll(".widget-dropdown > select")) {
    put(menu, "data-lm-suppress-shortcuts", "true");
  }
  // A widget's caption says in words what its figures show: read it out when it changes.
  for (const caption of root.querySelectorAll(".course-live")) {
    put(caption, "role", "status");
    put(caption, "aria-live", "polite");
  }
  for (const group of root.querySelectorAll(".widget-toggle-buttons")) {
    const name = labelOf(group);
    put(group, "role", "group");
    if (name) put(group, "aria-label", name);
    for (const button of group.querySelectorAll("button")) {
      put(button, "aria-pressed", String(button.classList.contains("mod-active")));
    }
  }
}

export default {
  render({ el }) {
    el.classList.add("course-accessible-names");
    let observer = null;
    let frame = null;
    // The layout the helper sits in is complete only once it is on the page.
    function start() {
      const root = el.parentElement;
      if (!el.isConnected || !root) {
        frame = requestAnimationFrame(start);
        return;
      }
      nameControls(root);
      // ipywidgets redraws some parts (a Play's icon, a slider's handles, the buttons of
      // a ToggleButtons): name them again. Setting ARIA attributes does not wake it.
      observer = new MutationObserver(() => nameControls(root));
      observer.observe(root, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["class", "title"],
      });
    }
    start();
    return () => {
      if (frame !== null) cancelAnimationFrame(frame);
      if (observer) observer.disconnect();
    };
  },
};
"""


class AccessibleNames(anywidget.AnyWidget):
    """An invisible widget that names, for screen readers, the controls of the layout it sits in.

    Put it last in a widget's top-level box; see the module's docstring for
    the names it gives. It shows nothing and holds no state.
    """

    _esm = _ESM

    def __init__(self) -> None:
        super().__init__(layout=widgets.Layout(display="none"))
