import Service
print(ServiceInfo.version)
