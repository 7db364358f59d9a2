"""The look of the workshop: large type and clear contrast for a projector on a wall."""
from __future__ import annotations

CSS = """
<style>
.kamnb-app {
  --jp-widgets-font-size: 19px;
  --jp-widgets-inline-height: 38px;
  --jp-widgets-inline-label-width: 260px;
  font-size: 19px; color: #1b1b1b; font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif;
}
.kamnb-app .widget-label, .kamnb-app .widget-html-content, .kamnb-app input, .kamnb-app select,
.kamnb-app textarea, .kamnb-app button, .kamnb-app .lm-TabBar-tabLabel { font-size: 19px; }
.kamnb-app .lm-TabBar-tab { min-width: 160px; padding: 6px 14px; font-size: 20px; }
.kamnb-app .lm-TabBar { min-height: 40px; }
.kamnb-bar { margin-top: 6px; }
.kamnb-app .lm-TabBar-tab.lm-mod-current { font-weight: bold; border-top: 4px solid #1f4e79; }
.kamnb-bar { border-bottom: 3px solid #1f4e79; padding-bottom: 8px; margin-bottom: 8px; align-items: center; }
.kamnb-status .widget-html-content { font-size: 16px; color: #2e6b2e; }
.kamnb-error .widget-html-content, .kamnb-error { color: #b00020; font-weight: bold; font-size: 17px; }
.kamnb-item { border-bottom: 1px solid #d6dbe3; padding: 6px 0 8px 0; }
.kamnb-app .widget-html-content { line-height: 1.3; }
.kamnb-q .widget-html-content { line-height: 1.3; }
.kamnb-q b { font-size: 20px; }
.kamnb-help { color: #50596c; font-size: 16px; }
.kamnb-app .widget-toggle-button { min-width: 96px; font-weight: 600; }
.kamnb-app .jupyter-button.mod-active, .kamnb-app .widget-toggle-button.mod-active { background: #1f4e79; color: white; }
.kamnb-summary { background: #f3f6fb; border-left: 6px solid #1f4e79; padding: 10px 14px; }
.kamnb-summary h2 { font-size: 22px; margin: 12px 0 4px 0; color: #1f4e79; }
.kamnb-summary table { border-collapse: collapse; width: 100%; font-size: 17px; line-height: 1.25; }
.kamnb-summary ul { margin: 4px 0; padding-left: 22px; line-height: 1.3; }
.kamnb-summary td, .kamnb-summary th { padding: 3px 6px; border-bottom: 1px solid #d6dbe3; text-align: left; }
.kamnb-summary td.num, .kamnb-summary th.num { text-align: right; }
.kamnb-tier { font-size: 30px; font-weight: bold; }
.kamnb-big { font-size: 26px; font-weight: bold; }
.kamnb-muted { color: #5c6270; font-size: 15px; }
.kamnb-flag-high { color: #b00020; font-weight: bold; }
.kamnb-flag-medium { color: #a35b00; font-weight: bold; }
.kamnb-flag-low { color: #4b5563; }
.kamnb-spread { color: #b00020; font-weight: bold; }
.kamnb-sways { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
</style>
"""
