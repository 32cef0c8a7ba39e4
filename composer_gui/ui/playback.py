"""The one controller of sound in the window: the transport, recording from a MIDI keyboard and the
MIDI ports.

What plays is what the roll shows: the document, plus the variation on show while a Continue
proposal is up (``playback_score``). The playhead follows the transport's audio clock; the cursor is
where edits go and where playback starts, and moving it moves the playhead.

The controller never imports the window. It is handed the document, the proposal, the generation
controller, the roll and the transport, and reports by signals (``status`` for the status bar;
``playEnabledChanged``, ``recordStateChanged``, ``midiInfoChanged`` and ``audioChanged`` for the
window's actions and labels). The MIDI output port is held by the transport alone
(``transport.midi_output``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from composer_gui.audio.midi_io import MidiOutput, MidiUnavailable
from composer_gui.music.score import Note, Score

from . import undo
from .generation import ContinueController
from .midi_io_panel import MidiPortsPanel, MidiRecordSession
from .piano_roll import PianoRoll
from .proposal import Proposal
from .transport import Transport
from .workers import Task

log = logging.getLogger(__name__)

AUDITION_VELOCITY = 100
PLAY_TIP = "Play / stop from the cursor (Space)"
RECORD_TIP = "Record from a MIDI keyboard at the cursor (Ctrl+R; Space stops)"


class PlaybackController(QObject):
    status = Signal(str, int)  # status-bar text and milliseconds (0: until replaced)
    playEnabledChanged = Signal(bool, str)  # can play, tooltip
    recordStateChanged = Signal(bool, bool, str)  # can record, is recording, tooltip
    midiInfoChanged = Signal(str)  # why MIDI ports are missing ('' : they are not)
    audioChanged = Signal(bool, str)  # audio device usable, why not
    portsWanted = Signal()  # recording needs a port chosen: show the MIDI ports

    def __init__(self, doc, proposal: Proposal, generation: ContinueController, roll: PianoRoll,
                 transport: Transport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.proposal = proposal
        self.generation = generation
        self.roll = roll
        self.transport = transport
        self.midi_panel = MidiPortsPanel(refresh=False)
        self.midi_panel.refreshRequested.connect(self.refresh_midi_ports)
        self.record_session = MidiRecordSession(self, transport=transport)
        self.open_midi_output = MidiOutput  # tests replace it
        self.count_in = True  # a bar of clicks before recording
        self.play_along = True  # hear the score while recording
        self._audio_ok: bool | None = None  # None: not probed yet
        self._auditioning = False  # "Audition Proposal" is playing
        self._score_stale = False  # the proposal changed while the transport was not told
        self._record_part = 0
        self._ports_task: Task | None = None
        self._connect()

    def _connect(self) -> None:
        t, roll = self.transport, self.roll
        t.message.connect(lambda text: self.status.emit(text, 8000))
        t.availableChanged.connect(self._audio_available)
        t.playingChanged.connect(self._playing_changed)
        t.positionChanged.connect(self._playhead_moved)
        t.loopChanged.connect(roll.set_loop_range)
        roll.playRequested.connect(self.toggle_play)
        roll.cursorChanged.connect(t.set_position)
        roll.noteAuditioned.connect(self.audition)
        roll.loopRequested.connect(t.set_loop)
        self.doc.scoreChanged.connect(self._sync_playback_score)
        self.proposal.changed.connect(self._proposal_changed)
        self.proposal.activeChanged.connect(self._variation_changed)
        self.generation.runningChanged.connect(self._generation_running)
        self.midi_panel.outputChanged.connect(self._output_chosen)
        self.midi_panel.portsShown.connect(self._midi_ports_shown)
        rs = self.record_session
        rs.notesChanged.connect(roll.set_take)
        rs.finished.connect(self._take_finished)
        rs.countIn.connect(self._count_in)
        rs.recordingChanged.connect(self._recording_changed)
        rs.message.connect(lambda text: self.status.emit(text, 8000))
        t.set_score(self.doc.score)

    # ----- start and end --------------------------------------------------------------------------
    def start_audio(self) -> None:
        """Once the window shows: find out whether audio can play, load the SoundFont in a worker
        and open the device, and list the MIDI ports in a worker, so that neither delays the first
        paint."""
        t = self.transport
        if t.available and not t.has_synth:
            from composer_gui.audio.render import default_synth

            task = Task(lambda _ctx: default_synth())
            task.finished.connect(lambda _synth: self.transport.preload())
            task.failed.connect(lambda _msg: self.transport.preload())  # preload says why
            task.start()
        elif t.available:
            t.preload()
        self.refresh_midi_ports()

    def reset(self) -> None:
        """A new document: silence, no loop, the playhead back to the start."""
        self.stop_recording()
        self.transport.stop()
        self.transport.clear_loop()
        self.transport.set_position(0)

    def shutdown(self) -> None:
        self.stop_recording()
        self.transport.shutdown()
        self._set_midi_output(None)

    # ----- the audio device -----------------------------------------------------------------------
    def _audio_available(self, ok: bool) -> None:
        self._audio_ok = ok
        self.audioChanged.emit(ok, "" if ok else self.transport.unavailable_reason)
        self._update_play_enabled()

    def _update_play_enabled(self) -> None:
        can = self._audio_ok is not False or self.transport.midi_output is not None
        tip = PLAY_TIP if can else f"Playback is off: {self.transport.unavailable_reason}"
        self.playEnabledChanged.emit(can, tip)

    # ----- what plays -----------------------------------------------------------------------------
    def playback_score(self) -> Score:
        """What Play plays: the document, with the variation on show while a proposal is up (in
        place of the notes it would replace), so that what is heard is what the roll shows;
        muted parts, and all but the soloed ones when any is, stay silent (``Score.audible``)."""
        return self.proposal.applied(self.doc.score).audible()

    def _sync_playback_score(self) -> None:
        self._score_stale = False
        score = self.playback_score()
        if score is not self.transport.score and score != self.transport.score:
            self.transport.set_score(score)  # while playing: heard from the playhead on

    def _proposal_changed(self) -> None:
        # notes arrive in batches while generating: a playing transport restarts on each new
        # score, so it hears them when the generation ends (or a variation is picked)
        if self.transport.playing and not self.generation.running:
            self._sync_playback_score()
        else:
            self._score_stale = True

    def _variation_changed(self, variation: int) -> None:
        if variation < 0:  # kept or discarded: what plays is the document again
            self._auditioning = False
        if not (self.generation.running and self.transport.playing):
            self._sync_playback_score()

    def _generation_running(self, running: bool) -> None:
        if not running and self.transport.playing:
            self._sync_playback_score()

    def part_sound(self) -> tuple[int, int, bool]:
        """(part, program, is drum) of the part new notes go to."""
        parts = self.doc.score.parts
        i = self.roll.active_part
        if 0 <= i < len(parts):
            return i, parts[i].program, parts[i].is_drum
        return i, 0, False

    # ----- transport ------------------------------------------------------------------------------
    def play(self, from_tick: int | None = None) -> bool:
        """Play from ``from_tick`` (default: the transport's position: the cursor, or where
        playback stopped)."""
        if self._score_stale:
            self._sync_playback_score()
        return self.transport.play(from_tick)

    def toggle_play(self) -> None:
        if self.record_session.recording:
            self.stop_recording()
        elif self.transport.playing:
            self.transport.stop()
        else:
            self.play()

    def play_from_start(self) -> None:
        self.play(0)

    def audition(self, pitch: int) -> bool:
        """Sound a pitch in the current part's instrument (a clicked key, a drawn or moved
        note)."""
        _, program, drum = self.part_sound()
        return self.transport.audition(pitch, AUDITION_VELOCITY, program, drum=drum)

    def audition_proposal(self) -> bool:
        """Play the variation on show with the sketch, from the bar before it; again: stop.
        Flipping variations while it plays switches what is heard at the playhead."""
        prop = self.proposal
        if self._auditioning and self.transport.playing:
            self.transport.stop()
            return False
        if not prop.active:
            self.status.emit("No proposal to hear: press Continue first.", 6000)
            return False
        score = self.doc.score
        start = prop.region[0] if prop.region else prop.start_tick
        bar = score.bar_at(max(0, start))
        from_tick = score.bar_start(max(0, bar - 1))
        self._sync_playback_score()
        ok = self.transport.play(from_tick)
        self._auditioning = ok
        if ok:
            self.status.emit(
                f"Playing variation {prop.current + 1} in context (P stops"
                + (f"; 1–{min(len(prop.variations), 8)} or Tab switch)"
                   if len(prop.variations) > 1 else ")"),
                6000)
        return ok

    def loop_region(self) -> tuple[int, int] | None:
        """Whole bars around the selection, else around the whole score; None when empty."""
        score = self.doc.score
        keys = self.doc.selection
        if keys:
            first = min(n.start for _, n in keys)
            last = max(n.end for _, n in keys)
        elif score.note_count:
            first, last = 0, score.end_tick
        else:
            return None
        start = score.bar_start(score.bar_at(first))
        end = score.bar_end(score.bar_at(max(first, last - 1)))
        return start, end

    def toggle_loop(self) -> None:
        if self.transport.loop is not None:
            self.transport.clear_loop()
            return
        region = self.loop_region()
        if region is None:
            self.status.emit("Nothing to loop: the score is empty.", 6000)
            return
        self.transport.set_loop(*region)
        score = self.doc.score
        a, b = (score.bar_number(score.bar_at(t)) for t in (region[0], region[1] - 1))
        bars = f"bar {a}" if a == b else f"bars {a}–{b}"
        self.status.emit(f"Looping {bars}", 5000)

    def _playing_changed(self, playing: bool) -> None:
        if not playing:
            self._auditioning = False
        self._playhead_moved(self.transport.position)

    def _playhead_moved(self, tick: int) -> None:
        playing = self.transport.playing
        # stopped on the cursor: the cursor says it all (the playhead would hide it)
        self.roll.set_playhead(tick if playing or tick != self.roll.cursor_tick else None)
        if playing:
            self.roll.follow(tick)

    # ----- MIDI ports -----------------------------------------------------------------------------
    def refresh_midi_ports(self) -> Task | None:
        """List the MIDI ports in a worker (the first look opens the MIDI system)."""
        if self._ports_task is not None:
            return None
        task = Task(lambda _ctx: MidiPortsPanel.list_ports())
        task.finished.connect(self._ports_listed)
        task.failed.connect(lambda message: self._ports_listed(
            (([], message), ([], message))))
        self._ports_task = task.start()
        return task

    @property
    def listing_ports(self) -> bool:
        return self._ports_task is not None

    def _ports_listed(self, ports) -> None:
        self._ports_task = None
        self.midi_panel.show_ports(*ports)

    def _midi_ports_shown(self) -> None:
        panel = self.midi_panel
        why = panel.empty_reason
        self._update_record_state()
        self.midiInfoChanged.emit(why)
        out = self.transport.midi_output
        current = getattr(out, "name", "") if out is not None else ""
        if panel.output_name != current:  # the chosen port went away
            self._output_chosen(panel.output_name)

    def _update_record_state(self) -> None:
        panel = self.midi_panel
        recording = self.record_session.recording
        has_inputs = panel.inputs.count() > 1
        tip = RECORD_TIP if has_inputs else \
            f"Recording needs a MIDI keyboard: {panel.empty_reason or 'none found'}"
        self.recordStateChanged.emit(has_inputs or recording, recording, tip)

    def _output_chosen(self, name: str) -> None:
        """Send playback (and auditioned notes) to the MIDI output ``name`` ('' : none)."""
        port = None
        if name:
            try:
                port = self.open_midi_output(name)
            except MidiUnavailable as exc:
                self.status.emit(str(exc), 8000)
                combo = self.midi_panel.outputs
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
        self._set_midi_output(port)
        self._update_play_enabled()
        if port is not None:
            self.status.emit(f"Playing to the MIDI output {name}", 5000)

    def _set_midi_output(self, port) -> None:
        old = self.transport.midi_output
        if port is old:
            return
        self.transport.set_midi_output(port)  # stops the old player: its notes are silenced
        if old is not None:
            _close_port(old)

    # ----- recording ------------------------------------------------------------------------------
    def toggle_record(self) -> None:
        if self.record_session.recording:
            self.stop_recording()
        else:
            self.start_recording()
        self._update_record_state()

    def start_recording(self) -> bool:
        """Record a take from the chosen MIDI input at the cursor, quantized to the grid; the
        take becomes one undo step when recording stops."""
        panel = self.midi_panel
        name = panel.input_name
        if not name:
            inputs = [panel.inputs.itemText(i) for i in range(1, panel.inputs.count())]
            if len(inputs) != 1:
                why = panel.empty_reason or "choose the keyboard under MIDI in"
                self.status.emit(f"Cannot record: {why}.", 8000)
                self.portsWanted.emit()
                return False
            name = inputs[0]
            panel.inputs.setCurrentText(name)
        if self.transport.playing:
            self.transport.stop()
        score = self.doc.score
        cursor = self.roll.cursor_tick
        ts = score.time_signature_at(cursor)
        beats = ts.bar_ticks // ts.beat_ticks if self.count_in else 0
        part, program, _drum = self.part_sound()
        self._record_part = part
        return self.record_session.start(
            name, score.audible(), cursor, self.roll.grid_step(), count_in_beats=beats,
            program=program,
            play_along=self.play_along and cursor < score.end_tick)

    def stop_recording(self) -> None:
        if self.record_session.recording:
            self.record_session.stop()

    def _count_in(self, beats_left: int) -> None:
        if beats_left:
            self.status.emit(f"Count-in… {beats_left}", 0)
        else:
            self.status.emit("Recording… (Space or Ctrl+R stops)", 0)

    def _recording_changed(self, _recording: bool) -> None:
        self._update_record_state()

    def _take_finished(self, notes: list[Note]) -> None:
        self.roll.set_take(None)
        if not notes:
            self.status.emit("Nothing was recorded.", 5000)
            return
        n = len(notes)
        label = f"{n} note{'s' if n != 1 else ''}"
        self.doc.push(undo.add_command(self.doc, [(self._record_part, note) for note in notes],
                                       f"Record {label}"))
        self.status.emit(f"Recorded {label}", 6000)


def _close_port(port) -> None:
    try:
        port.close()
    except Exception:  # a port that vanished (unplugged) cannot be closed twice
        log.warning("closing a MIDI port failed", exc_info=True)
