from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "bouwregie.projects"
    label = "projects"
