app_name = "drafts"
urlpatterns = []
