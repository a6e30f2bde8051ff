from django.urls import path

from chats import file_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("widget/v1/<str:name>", views.widget_asset, name="widget-asset"),
    path("files/<str:token>/<str:name>", file_views.attachment_file, name="attachment-file"),
    path("widget/demo/", views.widget_demo, name="widget-demo"),
]
