from django.urls import path

from reports.api import views

urlpatterns = [
    path("reports/summary", views.SummaryView.as_view(), name="report-summary"),
    path("reports/timeseries", views.TimeseriesView.as_view(), name="report-timeseries"),
    path("reports/breakdown", views.BreakdownView.as_view(), name="report-breakdown"),
    path("reports/heatmap", views.HeatmapView.as_view(), name="report-heatmap"),
    path("reports/live", views.LiveView.as_view(), name="report-live"),
]
