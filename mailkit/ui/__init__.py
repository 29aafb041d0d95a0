"""mailkit's notebook widgets: forms and panels over the library (the notebooks only show them)."""

from mailkit.ui.app_password_form import AppPasswordForm
from mailkit.ui.bulk_panel import BulkPanel
from mailkit.ui.domains_panel import DomainsPanel
from mailkit.ui.home import HomePage
from mailkit.ui.intro import intro
from mailkit.ui.oauth_panel import OAuthPanel
from mailkit.ui.readiness_view import ReadinessView
from mailkit.ui.report_view import ReportView
from mailkit.ui.session import Session, current_workspace, start
from mailkit.ui.setup_form import SetupForm, SetupModel
from mailkit.ui.troubleshoot import TroubleshootWizard
from mailkit.ui.twostep_panel import TwoStepPanel
from mailkit.ui.workspace_panel import WorkspacePanel

__all__ = ["AppPasswordForm", "BulkPanel", "DomainsPanel", "HomePage", "OAuthPanel", "ReadinessView", "ReportView",
           "Session", "SetupForm", "SetupModel", "TroubleshootWizard", "TwoStepPanel", "WorkspacePanel",
           "current_workspace", "intro", "start"]
