from django.shortcuts import render


def index(request):
    return render(request, "faults_app/index.html", {})
