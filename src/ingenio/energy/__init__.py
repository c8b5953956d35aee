"""energy layer: what power and fuel each plant has, slot by slot."""

from ingenio.energy.timeline import PowerTimeline, build_timeline

__all__ = ["PowerTimeline", "build_timeline"]
