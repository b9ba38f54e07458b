from django.urls import path

from . import views

app_name = "planner"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("lookup/", views.hub_lookup, name="lookup"),
    path("lookup/<uuid:pk>/", views.lookup_job, name="lookup_job"),
    path("lookup/config/", views.lookup_config, name="lookup_config"),
    path("models/", views.model_list, name="model_list"),
    path("models/<slug:slug>/", views.model_detail, name="model_detail"),
    path("gpus/", views.gpu_list, name="gpu_list"),
    path("gpus/<slug:slug>/", views.gpu_detail, name="gpu_detail"),
    path("plan/", views.planner, name="plan"),
    path("compare/", views.compare, name="compare"),
    path("how-we-estimate/", views.methodology, name="methodology"),
    path("my-machine/", views.my_machine, name="my_machine"),
    path("my-machine/fit/<slug:slug>/", views.machine_fit, name="machine_fit"),
    path("my-machine/bar/", views.machine_bar, name="machine_bar"),
]
