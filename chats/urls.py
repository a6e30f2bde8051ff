from django.urls import path

from chats import views

urlpatterns = [
    path("", views.home, name="home"),
    path("widget/v1/<str:name>", views.widget_asset, name="widget-asset"),
    path("widget/demo/", views.widget_demo, name="widget-demo"),
]
