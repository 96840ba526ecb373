# The __name__ service. Secrets in botplatform-__name__: database-url; nats-password (its broker
# user's, see nats.yaml).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: __name__
  labels: { app.kubernetes.io/name: __name__, app.kubernetes.io/part-of: botplatform }
spec:
  # One instance, like the other services: a durable consumer (once it has one) shared by two instances
  # would lose per-stream order. The relay itself is safe to run twice (its checkpoint row is locked).
  replicas: 1
  selector:
    matchLabels: { app.kubernetes.io/name: __name__ }
  template:
    metadata:
      labels: { app.kubernetes.io/name: __name__, app.kubernetes.io/part-of: botplatform }
    spec:
      containers:
        - name: __name__
          image: botplatform:latest
          args: ["__name__"]
          env:
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: botplatform-__name__, key: database-url } }
            - name: NATS_URL
              value: nats://nats:4222
            - name: NATS_USER
              value: __name__
            - name: NATS_PASSWORD
              valueFrom: { secretKeyRef: { name: botplatform-__name__, key: nats-password } }
            - name: HTTP_PORT
              value: "3000"
          ports:
            - { name: http, containerPort: 3000 }
          readinessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 5
          livenessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 15
            failureThreshold: 4
          resources:
            requests: { cpu: 100m, memory: 160Mi }
            limits: { memory: 512Mi }
---
apiVersion: v1
kind: Service
metadata:
  name: __name__
spec:
  selector: { app.kubernetes.io/name: __name__ }
  ports:
    - { name: http, port: 80, targetPort: http }
